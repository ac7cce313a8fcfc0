import type { Broker } from './broker.js'
import type { History } from './history.js'
import { memoryBroker } from './memoryBroker.js'
import { memoryHistory } from './memoryHistory.js'
import { memoryPresence } from './memoryPresence.js'
import { memoryReplyStore } from './memoryReplyStore.js'
import type { PresenceStore } from './presence.js'
import type { Relay } from './relay.js'
import type { ReplyStore } from './replyStore.js'

/**
 * Where a hub keeps what must be shared when one server process becomes several, in three
 * seams that each can be replaced alone: the `broker` (publications reach the peers of every
 * instance), the `replies` store (the request dedupe window) and the `history` (each channel's
 * recent publications, for recovery). {@link memoryAdapter} is the default, for one process;
 * `redisAdapter` from `@lifeline/server/redis` spans several. One adapter serves one hub.
 *
 * @example
 * ```ts
 * // Publications through a bus of yours, the rest in memory.
 * attach(wss, { adapter: { ...memoryAdapter(), broker: busBroker(bus) } })
 * ```
 */
export interface Adapter {
  /** Carries publications (`hub.broadcast`) to the peers of every instance. */
  readonly broker: Broker
  /** The request dedupe window. */
  readonly replies: ReplyStore
  /** Each channel's recent publications. */
  readonly history: History
  /** Who is in each channel (none: {@link memoryPresence}, this process only). */
  readonly presence?: PresenceStore
  /** Forwards the HTTP fallback's uplink POSTs to the instance that holds their session (none: one instance). */
  readonly relay?: Relay
}

/**
 * The default adapter: everything in this process ({@link memoryBroker},
 * {@link memoryReplyStore}, {@link memoryHistory}, {@link memoryPresence}).
 *
 * @example
 * ```ts
 * const hub = attach(wss, { adapter: memoryAdapter(), dedupe: { ttl: 60_000, max: 1000 } })
 * ```
 */
export function memoryAdapter(): Adapter {
  return { broker: memoryBroker(), replies: memoryReplyStore(), history: memoryHistory(), presence: memoryPresence() }
}
