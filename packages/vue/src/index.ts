export { createLifeline } from './createLifeline.js'
export { provideSocket } from './provideSocket.js'
export { useLastMessage } from './useLastMessage.js'
export { type UseMessagesOptions, useMessages } from './useMessages.js'
export { type UseSocketOptions, useSocket } from './useSocket.js'
export { useSocketEvent } from './useSocketEvent.js'
export { type SocketState, useSocketState } from './useSocketState.js'

import './rawSocket.js'
