import type { ConnectOptions, Socket, SocketEvents } from '@lifeline/core'

/** A socket of any message maps: what the context holds and the hooks accept. */
// biome-ignore lint/suspicious/noExplicitAny: any message maps fit; each hook narrows them again.
export type AnySocket = Socket<any, any>

/**
 * The event names a socket with incoming messages `In` emits: its message types and the
 * lifecycle events (`open`, `close`, `error`, `state`, `message`, …).
 */
export type EventName<In> = keyof SocketEvents<In> & string

/** Connect options of any message maps. */
// biome-ignore lint/suspicious/noExplicitAny: see AnySocket
export type AnyOptions = ConnectOptions<any, any>
