import type { MaybePromise } from './maybePromise.js'

/**
 * A place in a channel's history: the channel's `epoch` (changed whenever its history is lost or
 * recreated) and the `offset` of a publication in it (+1 each, from 1; 0 before the first).
 */
export interface Position {
  /** The channel's epoch: a new one whenever its history is lost or recreated. */
  epoch: string
  /** The offset of a publication in the epoch: +1 each, from 1; 0 before the first. */
  offset: number
}

/** One publication kept in a channel's history: its offset and its publication frame, ready to write. */
export interface HistoryEntry {
  /** The publication's offset in the channel's epoch. */
  offset: number
  /** The publication frame `{"ch","e","o","data"?}`, as JSON text ready to write. */
  frame: string
}

/** A publication on its way to the peers of a channel: its position and its frame, ready to write. */
export interface ChannelPublication extends Position {
  /** The channel published into. */
  channel: string
  /** The publication frame `{"ch","e","o","data"?}`, as JSON text ready to write. */
  frame: string
}

/** Why a history cannot replay from a position: it no longer reaches back that far, or the position is from another epoch. */
export type GapReason = 'trimmed' | 'epoch'

/**
 * What {@link History.since} answers: every entry after the position, in order, or a gap, never
 * part of them. `top` is the channel's position at the moment the entries were read.
 */
export type Replay =
  | {
      /** No gap: `entries` are everything after the position. */
      gap: null
      /** Every entry after the position, in offset order. */
      entries: HistoryEntry[]
      /** The channel's position when the entries were read. */
      top: Position
    }
  | {
      /** Why the entries after the position cannot be replayed. */
      gap: GapReason
      /** The channel's position now. */
      top: Position
    }

/** How much history a channel keeps. */
export interface HistoryLimits {
  /** At most this many publications per channel, the oldest dropped first. */
  readonly size: number
  /** A publication is kept this many ms. */
  readonly ttl: number
  /**
   * A channel's position (epoch and top offset) is kept this many ms (at least `ttl`) after it
   * was last used: a publication, a join (`since`, `top`), or a peer in it (see
   * {@link HistoryHost.joined}). Then it is forgotten, and comes back in a new epoch.
   */
  readonly positionTtl: number
}

/** What a hub gives its history when it starts it. */
export interface HistoryHost {
  /** How much history each channel keeps, as the hub's `history` option set it. */
  readonly limits: HistoryLimits
  /**
   * Writes a publication to this instance's peers in its channel. Every instance's history
   * calls it for every publication of every instance, each channel's in offset order.
   */
  deliver(publication: ChannelPublication): void
  /** The channels that peers of this instance are in now: their positions are kept. */
  joined(): Iterable<string>
  /** Whether peers of this instance are in `channel` now. */
  isJoined(channel: string): boolean
  /** Reports a background failure as the hub's `error` event (`ADAPTER_FAILED`). */
  report(error: unknown): void
}

/**
 * Each channel's publications, numbered, delivered in order to its peers on every instance and
 * kept for a while, so that a client that comes back can be sent what it missed, or told that it
 * cannot be. {@link memoryHistory} is one process's; `redisHistory` (in `@lifeline/server/redis`)
 * keeps them in Redis Streams and fans them out over Redis pub/sub in the same script, where any
 * instance can replay any channel and positions survive a restart of every server process.
 */
export interface History {
  /** Called once, by `attach`. A rejection is reported (`ADAPTER_FAILED`) and rejects `hub.ready`. */
  start(host: HistoryHost): MaybePromise<void>
  /**
   * Numbers a publication (the channel's next offset), keeps it, and delivers it to the
   * channel's peers on every instance (through each one's {@link HistoryHost.deliver}, this
   * instance's included), all as one step: deliveries of a channel happen in offset order
   * everywhere. `data` is the payload as JSON text (`undefined`: none); the frame delivered and
   * kept is the publication frame `{"ch","e","o","data"?}` (`publicationParts` of
   * `@lifeline/core/protocol`). Resolves with the publication's position.
   */
  append(channel: string, data: string | undefined): MaybePromise<Position>
  /**
   * The entries after `position`, in order, and the top they were read at: all of them, or a
   * gap. `epoch` when the position is from another epoch; `trimmed` when entries after it were
   * dropped (by size or age), when there are more than `limit` of them, or when the position is
   * ahead of the top (an offset this epoch never reached).
   */
  since(channel: string, position: Position, limit: number): MaybePromise<Replay>
  /** The channel's position now (a new epoch at offset 0 for a channel never seen, or forgotten). */
  top(channel: string): MaybePromise<Position>
  /**
   * Forgets the channel's entries and starts it again in a new epoch at offset 0, as a channel
   * never seen. The hub calls it after an append failed (it may have numbered a publication that
   * was neither kept nor delivered), so that every subscriber meets an `epoch` gap rather than a
   * silent hole. Resolves with the new position.
   */
  reset(channel: string): MaybePromise<Position>
  /** Stops: no more deliveries; releases what the history opened. */
  close(): MaybePromise<void>
}
