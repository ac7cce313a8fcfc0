import { randomBytes } from 'node:crypto'
import type { History, HistoryLimits, Position, Replay } from './history.js'

/** One channel's history. */
interface Stream {
  epoch: string
  /** The offset of the last publication; 0 before the first. */
  offset: number
  /** The publications kept, oldest first from `head`, with the monotonic ms they were appended at. */
  entries: Array<{ offset: number; frame: string; at: number }>
  head: number
  /** When the last publication was appended (or the stream made). */
  touched: number
}

/** A new epoch: random, so a history made again never takes an old one's. */
const newEpoch = () => randomBytes(8).toString('hex')

/**
 * The history of one process: per channel, at most `size` publications, each kept `ttl` ms. A
 * channel with nothing appended for `ttl` is forgotten, and comes back with a new epoch, so a
 * position from before is answered with a gap rather than a silent nothing.
 *
 * @example
 * ```ts
 * attach(wss, { adapter: { ...memoryAdapter(), history: memoryHistory() } })
 * ```
 */
export function memoryHistory(): History {
  let limits: HistoryLimits = { size: 0, ttl: 0 }
  // In the order of their last append, the least recent first: the order they are forgotten in.
  const streams = new Map<string, Stream>()

  /** Forgets the channels with nothing appended for `ttl`. */
  function sweep(now: number) {
    for (const [channel, stream] of streams) {
      if (stream.touched > now - limits.ttl) break
      streams.delete(channel)
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

  /** The channel's stream, made (with a new epoch) if it has none; trimmed to now. */
  function streamOf(channel: string, now: number): Stream {
    sweep(now)
    let stream = streams.get(channel)
    if (!stream) {
      stream = { epoch: newEpoch(), offset: 0, entries: [], head: 0, touched: now }
      streams.set(channel, stream)
    }
    trim(stream, now)
    return stream
  }

  const positionOf = (stream: Stream): Position => ({ epoch: stream.epoch, offset: stream.offset })

  return {
    start(host) {
      limits = host.limits
    },

    append(channel, frame) {
      const now = performance.now()
      const stream = streamOf(channel, now)
      stream.offset++
      stream.entries.push({ offset: stream.offset, frame, at: now })
      stream.touched = now
      // Moved to the end: the most recently appended channel is forgotten last.
      streams.delete(channel)
      streams.set(channel, stream)
      trim(stream, now)
      return positionOf(stream)
    },

    since(channel, position, limit): Replay {
      const stream = streamOf(channel, performance.now())
      const top = positionOf(stream)
      const given = Number.isInteger(position.offset) && position.offset >= 0 && position.offset <= stream.offset
      if (position.epoch !== stream.epoch || !given) return { gap: 'epoch', top }
      const oldest = stream.entries[stream.head]?.offset ?? stream.offset + 1
      const missed = stream.offset - position.offset
      if (position.offset + 1 < oldest || missed > limit) return { gap: 'trimmed', top }
      const from = stream.head + (position.offset + 1 - oldest)
      const entries = stream.entries.slice(from, from + missed).map(({ offset, frame }) => ({ offset, frame }))
      return { gap: null, entries, top }
    },

    top(channel) {
      return positionOf(streamOf(channel, performance.now()))
    },

    close() {
      streams.clear()
    },
  }
}
