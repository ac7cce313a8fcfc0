// The testing sample of docs/vue.md, a module of its own for its imports. The region is pasted
// into the guide as it is; the declarations below stand for the app's component and test double.
// #region testing
import { connect } from '@lifeline/core'
import { createLifeline } from '@lifeline/vue'
import { mount } from '@vue/test-utils'

const socket = connect<Incoming, Outgoing>('wss://example.test/live', { WebSocket: MyFakeWebSocket })
const wrapper = mount(ChatPanel, { global: { plugins: [createLifeline(socket)] } })
// …
wrapper.unmount()
socket.dispose()
// #endregion

type Incoming = import('./vue/messages').Incoming
type Outgoing = import('./vue/messages').Outgoing
declare const MyFakeWebSocket: import('@lifeline/core').WebSocketConstructor
declare const ChatPanel: import('vue').DefineComponent
