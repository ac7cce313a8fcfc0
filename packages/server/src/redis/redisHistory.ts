import { randomBytes } from 'node:crypto'
import { publicationParts } from '@lifeline/core/protocol'
import type { History, HistoryHost, HistoryLimits, Position, Replay } from '@lifeline/server'
import { type RedisConnection, type RedisListener, script } from './redisConnection.js'

// KEYS[1]: the channel's stream, KEYS[2]: its position (a hash of `epoch` and `offset`).
// ARGV[1]: a new epoch, ARGV[2]: positionTtl. The position expires `positionTtl` after it was last
// used (every script here uses it). A position made anew (a channel never seen, or forgotten)
// starts at offset 0 with the epoch the caller drew, and drops a stream left from before it.
const POSITION = `
local epoch = redis.call('HGET', KEYS[2], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[2], 'epoch', epoch, 'offset', 0)
  redis.call('DEL', KEYS[1])
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
`

/**
 * ARGV[3]: ttl, [4]: size, [5] and [6]: the frame's text before the epoch and after the offset,
 * [7]: the pub/sub channel, [8]: the message header's text before the epoch. Numbers, keeps and
 * fans out the publication in one step, so every subscriber gets a channel's publications in
 * offset order. The entry's id is `<offset>-0`; its field `t` is Redis's clock in ms, `f` the frame.
 */
const APPEND = `${POSITION}
local offset = string.format('%d', redis.call('HINCRBY', KEYS[2], 'offset', 1))
local time = redis.call('TIME')
local now = string.format('%d', time[1] * 1000 + math.floor(time[2] / 1000))
local frame = ARGV[5] .. epoch .. '","o":' .. offset .. ARGV[6]
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], offset .. '-0', 't', now, 'f', frame)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PUBLISH', ARGV[7], ARGV[8] .. epoch .. '",' .. offset .. ']\\n' .. frame)
return {epoch, tonumber(offset)}
`

/** Starts the channel again in the epoch the caller drew (ARGV[1]), at offset 0, without its entries. */
const RESET = `
redis.call('HSET', KEYS[2], 'epoch', ARGV[1], 'offset', 0)
redis.call('DEL', KEYS[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {ARGV[1], 0}
`

const TOP = `${POSITION}
return {epoch, tonumber(redis.call('HGET', KEYS[2], 'offset'))}
`

/**
 * ARGV[3]: the asker's epoch, [4]: the first offset wanted, [5]: how many entries at most.
 * Reads the position and the entries in one step, so no append falls between them.
 */
const SINCE = `${POSITION}
local offset = tonumber(redis.call('HGET', KEYS[2], 'offset'))
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local entries = {}
if epoch == ARGV[3] and tonumber(ARGV[4]) <= offset then
  entries = redis.call('XRANGE', KEYS[1], ARGV[4] .. '-0', '+', 'COUNT', ARGV[5])
end
return {epoch, offset, now, entries}
`

const append = script(APPEND)
const reset = script(RESET)
const top = script(TOP)
const since = script(SINCE)

/** A new epoch: random, so a history made again never takes an old one's. */
const newEpoch = () => randomBytes(8).toString('hex')

/** One stream entry as XRANGE returns it: `[id, [field, value, …]]`. */
type RawEntry = [string, string[]]

/**
 * Channel history in Redis Streams, which any instance can replay and which outlives every server
 * process: `<prefix>history:{<channel>}` holds the publications (`XADD … MAXLEN ~ size`, ids
 * `<offset>-0`), `<prefix>position:{<channel>}` the epoch and the last offset. A publication is
 * numbered, kept and published on `<prefix>publications` in one Lua script, so offsets go up by
 * exactly one across every instance and every instance receives a channel's publications in
 * offset order (its own too: it delivers them to its peers as they come back). A read sees a
 * position and its entries at one moment. Entries older than `ttl` (by Redis's clock) count as
 * trimmed, and the stream expires `ttl` after the last append; the position expires
 * `positionTtl` after it was last used (a publication, a join), and each instance renews it every
 * quarter of that for the channels its peers are in.
 */
export function redisHistory(connection: RedisConnection, prefix: string): History {
  let limits: HistoryLimits = { size: 0, ttl: 0, positionTtl: 0 }
  let host: HistoryHost | null = null
  let timer: ReturnType<typeof setInterval> | undefined
  const publications = `${prefix}publications`
  const streamKey = (channel: string) => `${prefix}history:{${channel}}`
  const positionKey = (channel: string) => `${prefix}position:{${channel}}`
  const keys = (channel: string) => [streamKey(channel), positionKey(channel)]
  const position = (reply: unknown): Position => {
    const [epoch, offset] = reply as [string, number]
    return { epoch: String(epoch), offset: Number(offset) }
  }

  /** A message on `<prefix>publications`: `[channel,"epoch",offset]`, a newline, the frame. */
  const onPublication: RedisListener = (message) => {
    const newline = message.indexOf('\n')
    let header: [string, string, number]
    try {
      header = JSON.parse(message.slice(0, newline))
    } catch (cause) {
      return host?.report(cause)
    }
    const [channel, epoch, offset] = header
    host?.deliver({ channel, epoch, offset, frame: message.slice(newline + 1) })
  }

  /** Renews the positions of the channels this instance's peers are in. */
  async function renew() {
    const { commands } = await connection.ready()
    const ttl = String(limits.positionTtl)
    await Promise.all(
      [...(host?.joined() ?? [])].map((channel) => commands.sendCommand(['PEXPIRE', positionKey(channel), ttl])),
    )
  }

  return {
    async start(given) {
      host = given
      limits = given.limits
      const { subscriber } = await connection.open(given.report)
      await subscriber.subscribe(publications, onPublication)
      // A quarter of positionTtl, within what setInterval takes.
      const every = Math.min(limits.positionTtl / 4, 2 ** 31 - 1)
      timer = setInterval(() => renew().catch((error) => host?.report(error)), every)
      timer.unref()
    },

    async append(channel, data) {
      const { commands } = await connection.ready()
      const { head, tail } = publicationParts(channel, data)
      const header = `[${JSON.stringify(channel)},"`
      const args = [newEpoch(), limits.positionTtl, limits.ttl, limits.size, head, tail, publications, header]
      return position(await append(commands, keys(channel), args))
    },

    async top(channel) {
      const { commands } = await connection.ready()
      return position(await top(commands, keys(channel), [newEpoch(), limits.positionTtl]))
    },

    async reset(channel) {
      const { commands } = await connection.ready()
      return position(await reset(commands, keys(channel), [newEpoch(), limits.positionTtl]))
    },

    async since(channel, from, limit): Promise<Replay> {
      const { commands } = await connection.ready()
      const first = from.offset + 1
      const reply = (await since(commands, keys(channel), [
        newEpoch(),
        limits.positionTtl,
        from.epoch,
        Number.isInteger(first) && first > 0 ? first : 0,
        limit + 1,
      ])) as [string, number, number, RawEntry[]]
      const [, , now, raw] = reply
      const current = position(reply)
      if (from.epoch !== current.epoch) return { gap: 'epoch', top: current }
      const missed = current.offset - from.offset
      if (!Number.isInteger(from.offset) || from.offset < 0 || missed < 0) return { gap: 'trimmed', top: current }
      if (missed === 0) return { gap: null, entries: [], top: current }
      const entries = raw.map(([id, fields]) => ({ id, fields }))
      const oldest = entries[0]
      const fresh = Number(oldest?.fields[1]) > Number(now) - limits.ttl
      if (missed > limit || entries.length !== missed || oldest?.id !== `${first}-0` || !fresh) {
        return { gap: 'trimmed', top: current }
      }
      return {
        gap: null,
        entries: entries.map(({ id, fields }) => ({ offset: Number.parseInt(id, 10), frame: String(fields[3]) })),
        top: current,
      }
    },

    async close() {
      clearInterval(timer)
      host = null
      await connection.release()
    },
  }
}
