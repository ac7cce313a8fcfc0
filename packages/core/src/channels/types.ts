import type { LifelineError, Socket } from '@lifeline/core'
import type { ChannelGap, ChannelGapReason, ChannelPosition, PresenceMember } from '../protocol/channels.js'

export type { ChannelGap, ChannelGapReason, ChannelPosition, PresenceMember }

/** A socket of any message maps: a channel works on any `Socket`, whatever its types. */
// biome-ignore lint/suspicious/noExplicitAny: any message maps fit; a channel speaks its own frames.
export type ChannelSocket = Socket<any, any, any>

/**
 * Where a channel is:
 * - `joining`: waiting for an open link, or for the server's answer to a join.
 * - `joined`: the server answered; publications arrive (a replay first, when one was asked for).
 * - `left`: `leave()` was called, or the socket closed for good or was disposed. Final.
 * - `failed`: the server refused the join (`JOIN_REFUSED`); nothing more is asked until `rejoin()`.
 */
export type ChannelStatus = 'joining' | 'joined' | 'left' | 'failed'

/**
 * A channel's state at one moment. Immutable: a new object only when a field changes.
 * `{ epoch, offset }` is the position to pass as `since` to resume after it.
 */
export interface ChannelSnapshot {
  /** Where the channel is. */
  readonly status: ChannelStatus
  /** The epoch of `offset`; `null` until a join was answered (or `since` was given). */
  readonly epoch: string | null
  /**
   * The offset of the last publication delivered; after a join answered with nothing to deliver,
   * the channel's top. `0` before anything is known.
   */
  readonly offset: number
  /** Whether the last join resumed from the position it asked for: nothing missed. */
  readonly recovered: boolean
  /** The last failure of a join (`JOIN_REFUSED`, `REQUEST_TIMEOUT`, …), `null` once a join succeeds. */
  readonly error: LifelineError | null
}

/** Options of `channel()`. */
export interface ChannelOptions {
  /**
   * Resume after this position (a snapshot's `{ epoch, offset }` kept from before a reload): the
   * first join asks for every publication after it. Used by the call that starts the channel's
   * wire subscription; a second `channel()` for a name already joined on the socket shares that
   * subscription and its position.
   */
  since?: ChannelPosition
  /**
   * On every new link, ask for what was published while the link was down. `false` joins each new
   * link at the channel's top: what was published in between is skipped, without a `gap`.
   * @default true
   */
  recover?: boolean
  /**
   * Who is in the channel: `true` keeps its members (`presence()`, `join` and `leave` events);
   * `'count'` keeps only how many they are (`memberCount()`), for a large room where the list
   * would cost more than it shows. A member is a user: its tabs and reconnects are one member.
   * Handles of one name share one subscription, which asks for the most any of them wants.
   * @default false
   */
  presence?: boolean | 'count'
}

/** A channel's events and the handlers they take. */
export interface ChannelEvents<T> {
  /** A publication: its payload and its position. Each once, in channel order. */
  message: (data: T, position: ChannelPosition) => void
  /** What could not be recovered: the offsets `from` to `to` (in the current epoch) will never be delivered. */
  gap: (gap: ChannelGap) => void
  /** The snapshot changed. */
  state: (snapshot: ChannelSnapshot) => void
  /** A join failed (`JOIN_REFUSED`, `REQUEST_TIMEOUT`, …), or a handler threw (`HANDLER_FAILED`). */
  error: (error: LifelineError) => void
  /**
   * A member joined (option `presence: true`): a user not in the channel before, not a reconnect.
   * Not emitted for the members already there when the channel was joined (see `presence`).
   */
  join: (member: PresenceMember) => void
  /** A member left: its last connection has been gone for the server's grace period. */
  leave: (member: PresenceMember) => void
  /** The members or their count changed: after the `join` and `leave` events of one change. */
  presence: (members: readonly PresenceMember[], count: number) => void
}
