import { randomBytes } from 'node:crypto'
import { publicationParts, publicationText } from '@lifeline/core/protocol'
import type { History, HistoryHost, HistoryLimits, Position, Replay } from './history.js'

/** One channel's history. */
interface Stream {
  epoch: string
  /** The offset of the last publication; 0 before the first. */
  offset: number
  /** The publications kept, oldest first from `head`, with the monotonic ms they were appended at. */
  entries: Array<{ offset: number; frame: string; at: number }>
  head: number
  /** When the position was last used: a publication, a join, a sweep that found peers in it. */
  used: number
  /** When the last publication was appended. */
  appended: number
}

/** A new epoch: random, so a history made again never takes an old one's. */
const newEpoch = () => randomBytes(8).toString('hex')

/**
 * The history of one process. Per channel, at most `size` publications, each kept `ttl` ms; the
 * channel's position (epoch and top offset) is kept as long as it is used (a publication, a join,
 * a peer of this process in it) and for `positionTtl` after. A channel forgotten comes back in a
 * new epoch, so a position from before is answered with a gap rather than a silent nothing.
 *
 * @example
 * ```ts
 * attach(wss, { adapter: { ...memoryAdapter(), history: memoryHistory() } })
 * ```
 */
export function memoryHistory(): History {
  let limits: HistoryLimits = { size: 0, ttl: 0, positionTtl: 0 }
  let host: HistoryHost | null = null
  // In the order they were last used, the least recent first: the order they are forgotten in.
  const streams = new Map<string, Stream>()
  // The streams holding entries, in the order of their last append: the order their entries expire in.
  const filled = new Map<string, Stream>()

  /** Moves a stream to the end of `streams`: used now. */
  function use(channel: string, stream: Stream, now: number) {
    stream.used = now
    streams.delete(channel)
    streams.set(channel, stream)
  }

  /** Empties streams whose newest entry is older than `ttl`; forgets positions unused for `positionTtl`. */
  function sweep(now: number) {
    for (const [channel, stream] of filled) {
      if (stream.appended > now - limits.ttl) break
      stream.entries = []
      stream.head = 0
      filled.delete(channel)
    }
    for (const [channel, stream] of streams) {
      if (stream.used > now - limits.positionTtl) break
      // Peers of this process in it: kept (moved to the end, so the loop ends there).
      if (host?.isJoined(channel)) use(channel, stream, now)
      else {
        streams.delete(channel)
        if (filled.get(channel) === stream) filled.delete(channel)
      }
    }
  }

  /** Drops a channel's entries beyond `size` or older than `ttl`. */
  function trim(stream: Stream, now: number) {
    const { entries } = stream
    while (
      stream.head < entries.length &&
      (entries.length - stream.head > limits.size || (entries[stream.head]?.at ?? now) <= now - limits.ttl)
    ) {
      stream.head++
    }
    if (stream.head > limits.size) {
      stream.entries = entries.slice(stream.head)
      stream.head = 0
    }
  }

  /** The channel's stream, made (with a new epoch) if it has none; trimmed to now and marked used. */
  function streamOf(channel: string, now: number): Stream {
    sweep(now)
    let stream = streams.get(channel)
    if (!stream) {
      stream = { epoch: newEpoch(), offset: 0, entries: [], head: 0, used: now, appended: now }
      streams.set(channel, stream)
    }
    use(channel, stream, now)
    trim(stream, now)
    return stream
  }

  const positionOf = (stream: Stream): Position => ({ epoch: stream.epoch, offset: stream.offset })

  return {
    start(given) {
      host = given
      limits = given.limits
    },

    append(channel, data) {
      const now = performance.now()
      const stream = streamOf(channel, now)
      const offset = ++stream.offset
      const frame = publicationText(publicationParts(channel, data), stream.epoch, offset)
      stream.entries.push({ offset, frame, at: now })
      stream.appended = now
      filled.delete(channel)
      filled.set(channel, stream)
      trim(stream, now)
      host?.deliver({ channel, epoch: stream.epoch, offset, frame })
      return { epoch: stream.epoch, offset }
    },

    since(channel, position, limit): Replay {
      const stream = streamOf(channel, performance.now())
      const top = positionOf(stream)
      if (position.epoch !== stream.epoch) return { gap: 'epoch', top }
      const missed = stream.offset - position.offset
      if (!Number.isInteger(position.offset) || position.offset < 0 || missed < 0) return { gap: 'trimmed', top }
      const oldest = stream.entries[stream.head]?.offset ?? stream.offset + 1
      if (position.offset + 1 < oldest || missed > limit) return { gap: 'trimmed', top }
      const from = stream.head + (position.offset + 1 - oldest)
      const entries = stream.entries.slice(from, from + missed).map(({ offset, frame }) => ({ offset, frame }))
      return { gap: null, entries, top }
    },

    top(channel) {
      return positionOf(streamOf(channel, performance.now()))
    },

    reset(channel) {
      streams.delete(channel)
      filled.delete(channel)
      return positionOf(streamOf(channel, performance.now()))
    },

    close() {
      host = null
      streams.clear()
      filled.clear()
    },
  }
}
