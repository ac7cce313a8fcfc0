import type { ConnectOptions, Socket } from '@lifeline/core'

/** A socket of any message maps: what adapters hold and their hooks accept. */
// biome-ignore lint/suspicious/noExplicitAny: any message maps fit; each hook narrows them again.
export type AnySocket = Socket<any, any, any>

/** Connect options of any message maps. */
// biome-ignore lint/suspicious/noExplicitAny: see AnySocket
export type AnyOptions = ConnectOptions<any, any>
