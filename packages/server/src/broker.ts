import type { MaybePromise } from './maybePromise.js'

/** A frame on its way to peers: to every peer, or to those in `channel`, but never to peer `except`. */
export interface Publication {
  /** The frame, ready to write. */
  frame: string
  /** Only the peers in this channel (a room) get it; every peer when absent. */
  channel?: string
  /** The id of a peer that does not get it (typically the sender). */
  except?: string
}

/** What a hub gives its broker when it starts it. */
export interface BrokerHost {
  /** Writes a publication to this instance's peers (those it is for). */
  deliver(publication: Publication): void
  /** Reports a background failure as the hub's `error` event (`ADAPTER_FAILED`). */
  report(error: unknown): void
}

/**
 * Carries publications to the peers of every instance: `publish` delivers to this instance's
 * peers at once, through the host, and hands the publication to the other instances, each of
 * which delivers it to its own. {@link memoryBroker} is one process's; `redisBroker` (in
 * `@lifeline/server/redis`) spans several over Redis pub/sub.
 *
 * @example
 * ```ts
 * // Publications through a bus of yours that does not echo a sender's own messages.
 * function busBroker(bus: Bus): Broker {
 *   let host: BrokerHost
 *   return {
 *     start(given) {
 *       host = given
 *       bus.subscribe((publication) => host.deliver(publication))
 *     },
 *     publish(publication) {
 *       host.deliver(publication)
 *       return bus.publish(publication)
 *     },
 *     close: () => bus.close(),
 *   }
 * }
 * ```
 */
export interface Broker {
  /** Called once, by `attach`. A rejection is reported (`ADAPTER_FAILED`) and rejects `hub.ready`. */
  start(host: BrokerHost): MaybePromise<void>
  /**
   * Delivers to this instance's peers before it returns (so a publication and the sends after
   * it keep their order), then to the other instances'. A rejection is reported.
   */
  publish(publication: Publication): MaybePromise<void>
  /** Stops: no more deliveries; releases what the broker opened. */
  close(): MaybePromise<void>
}
