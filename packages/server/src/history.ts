import type { MaybePromise } from './maybePromise.js'

/**
 * A place in a channel's history: the channel's `epoch` (changed whenever its history is lost or
 * recreated) and the `offset` of a publication in it (+1 each, from 1; 0 before the first).
 */
export interface Position {
  epoch: string
  offset: number
}

/** One publication kept in a channel's history. */
export interface HistoryEntry {
  offset: number
  frame: string
}

/** Why a history cannot replay from a position: it no longer reaches back that far, or the position is from another epoch. */
export type GapReason = 'trimmed' | 'epoch'

/**
 * What {@link History.since} answers: every entry after the position, in order, or a gap, never
 * part of them. `top` is the channel's position now.
 */
export type Replay = { gap: null; entries: HistoryEntry[]; top: Position } | { gap: GapReason; top: Position }

/** How much history a channel keeps. */
export interface HistoryLimits {
  /** At most this many publications per channel, the oldest dropped first. */
  readonly size: number
  /** A publication is kept this many ms; a channel with nothing published for as long is forgotten. */
  readonly ttl: number
}

/** What a hub gives its history when it starts it. */
export interface HistoryHost {
  readonly limits: HistoryLimits
  /** Reports a background failure as the hub's `error` event (`ADAPTER_FAILED`). */
  report(error: unknown): void
}

/**
 * Each channel's recent publications, numbered, so that a client that comes back can be sent
 * what it missed, or told that it cannot be. {@link memoryHistory} is one process's;
 * `redisHistory` (in `@lifeline/server/redis`) keeps them in Redis Streams, where any instance
 * can replay any channel and positions survive a restart of every server process.
 */
export interface History {
  /** Called once, by `attach`. A rejection is reported (`ADAPTER_FAILED`) and rejects `hub.ready`. */
  start(host: HistoryHost): MaybePromise<void>
  /** Keeps `frame` as the channel's next publication; resolves with its position. */
  append(channel: string, frame: string): MaybePromise<Position>
  /**
   * The entries after `position`, in order: all of them, or a gap. A gap when the position is
   * from another epoch (or one this history never gave: ahead of its top), when entries after it
   * were dropped (by size or age), and when there are more than `limit` of them.
   */
  since(channel: string, position: Position, limit: number): MaybePromise<Replay>
  /** The channel's position now (a new epoch at offset 0 for a channel never seen, or forgotten). */
  top(channel: string): MaybePromise<Position>
  /** Stops; releases what the history opened. */
  close(): MaybePromise<void>
}
