import type { MaybePromise } from './maybePromise.js'

/** The dedupe window a reply store keeps. */
export interface DedupeWindow {
  /** How long a reply is kept, in ms after it was made; a claim with no reply lapses after as long. */
  readonly ttl: number
  /** At most how many ids are kept per scope (where the store can bound that). */
  readonly max: number
  /** At most how many characters of keys and replies are kept in all (where the store can bound that). */
  readonly maxBytes: number
  /** How long a claim may wait for a store across the network before it fails (`UNAVAILABLE`), in ms. */
  readonly claimTimeout: number
}

/** What a hub gives its reply store when it starts it. */
export interface ReplyStoreHost {
  /** The dedupe window, from the hub's `dedupe` option. */
  readonly dedupe: DedupeWindow
  /** Reports a background failure as the hub's `error` event (`ADAPTER_FAILED`). */
  report(error: unknown): void
}

/**
 * The request dedupe window: a request resent after a drop, to this instance or another, is
 * answered with the first reply, and its handler runs once. The claim is the heart of it:
 * exactly one `claim` of a key, across every instance, returns `null` (run the handler); every
 * other returns the reply that one stores with `settle`. {@link memoryReplyStore} is one
 * process's; `redisReplyStore` (in `@lifeline/server/redis`) spans several.
 */
export interface ReplyStore {
  /** Called once, by `attach`. A rejection is reported (`ADAPTER_FAILED`) and rejects `hub.ready`. */
  start(host: ReplyStoreHost): MaybePromise<void>
  /**
   * Claims a request's dedupe `key`. `null`: this is the first time the key is seen in the
   * window; the caller runs the handler and calls `settle(key, reply)`. A string: the first
   * reply, returned as soon as it exists (waiting while the first is still running). Rejects
   * when `signal` aborts (the asking peer left), and with `REQUEST_LOST` when the first claim
   * lapsed without a reply (its instance died while the handler ran). `scope` says who asked
   * (a user, a client): a store that bounds its window by count keeps `max` ids per scope, so
   * one client's ids never push out another's.
   */
  claim(key: string, signal: AbortSignal, scope?: string): MaybePromise<string | null>
  /** Stores the reply to a claimed key for the window and hands it to everyone waiting. */
  settle(key: string, reply: string): MaybePromise<void>
  /** Stops: every wait ends with `REQUEST_LOST`; releases what the store opened. */
  close(): MaybePromise<void>
}
