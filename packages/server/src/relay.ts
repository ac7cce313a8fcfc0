import type { MaybePromise } from './maybePromise.js'

/** What a relay tells its hub. */
export interface RelayHost {
  /** A message another instance forwarded to this one. */
  deliver(message: string): void
  /** Reports a background failure as the hub's `error` event (`ADAPTER_FAILED`). */
  report(error: unknown): void
}

/**
 * Carries an HTTP fallback's uplink POST that a round-robin balancer sent to another instance to
 * the instance that holds its session. The Redis adapter has one; the in-memory adapter has none
 * (one instance: a session is here or nowhere).
 */
export interface Relay {
  /** This instance's id, put in front of its session ids so that other instances know where to forward. */
  readonly instance: string
  /** Called once, by `attach` (when the `ws` server has an HTTP server of its own). */
  start(host: RelayHost): MaybePromise<void>
  /** Hands `message` to `instance`'s hub (its `deliver`); a rejection is reported. */
  forward(instance: string, message: string): MaybePromise<void>
  /** Stops: no more deliveries. */
  close(): MaybePromise<void>
}
