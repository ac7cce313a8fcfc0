import type { SocketEvents } from '@lifeline/core'

export type { AnyOptions, AnySocket, RequestState, RequestStatus } from '@lifeline/core/adapters'

/**
 * The event names a socket with incoming messages `In` emits: its message types and the
 * lifecycle events (`open`, `close`, `error`, `state`, `message`, …).
 */
export type EventName<In> = keyof SocketEvents<In> & string
