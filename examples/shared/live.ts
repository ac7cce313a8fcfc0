// The messages the demo server speaks on /live, and the options the apps' socket uses with them.
import type { ConnectOptions, Socket } from '@lifeline/core'

/** A chat as the server broadcasts it: `seq` numbers it, `id` is ours when we sent it. */
export interface ChatMessage {
  from: string
  text: string
  at: number
  seq: number
  id?: string
}

/** What the server sends. */
export interface Incoming {
  chat: ChatMessage
  presence: { online: string[] }
}

/** What the app sends. */
export interface Outgoing {
  chat: { text: string; from?: string; id?: string }
  hello: { name: string }
}

/** The app's socket. */
export type LiveSocket = Socket<Incoming, Outgoing>

/**
 * A ping after 2 s of silence, the link declared dead 2 s later; retries with full jitter,
 * waits capped at 8 s. The apps pair them with the relative URL `/live`, which resolves against
 * the page: `ws://<this host>/live`.
 */
export const OPTIONS: ConnectOptions<Incoming, Outgoing> = {
  heartbeat: { interval: 2000, timeout: 2000 },
  reconnect: { initialDelay: 1000, maxDelay: 8000 },
}
