import { createHash, randomBytes } from 'node:crypto'
import type { History, HistoryLimits, Position, Replay } from '@lifeline/server'
import type { RedisClientLike, RedisConnection } from './redisConnection.js'

// KEYS[1]: the channel's stream, KEYS[2]: its position (a hash of `epoch` and `offset`). Both
// expire `ttl` after the last append. A position made anew (a channel never seen, or forgotten)
// starts at offset 0 with the epoch the caller drew, and drops a stream left from before it.
const POSITION = `
local epoch = redis.call('HGET', KEYS[2], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[2], 'epoch', epoch, 'offset', 0)
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
  redis.call('DEL', KEYS[1])
end
`

/** ARGV: new epoch, ttl, size, frame. The entry's id is `<offset>-0`; its field `t` is Redis's clock in ms. */
const APPEND = `${POSITION}
local offset = redis.call('HINCRBY', KEYS[2], 'offset', 1)
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], offset .. '-0', 't', string.format('%d', now), 'f', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {epoch, offset}
`

/** ARGV: new epoch, ttl. */
const TOP = `${POSITION}
return {epoch, tonumber(redis.call('HGET', KEYS[2], 'offset'))}
`

/**
 * ARGV: new epoch, ttl, the asker's epoch, the first offset wanted, how many entries at most.
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

/** A script run by its SHA1, sent whole only when Redis does not have it yet. */
function script(source: string) {
  const sha = createHash('sha1').update(source).digest('hex')
  return async (commands: RedisClientLike, keys: string[], args: Array<string | number>) => {
    const words = [String(keys.length), ...keys, ...args.map(String)]
    try {
      return await commands.sendCommand(['EVALSHA', sha, ...words])
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error
      return commands.sendCommand(['EVAL', source, ...words])
    }
  }
}

const append = script(APPEND)
const top = script(TOP)
const since = script(SINCE)

/** A new epoch: random, so a history made again never takes an old one's. */
const newEpoch = () => randomBytes(8).toString('hex')

/** One stream entry as XRANGE returns it: `[id, [field, value, …]]`. */
type RawEntry = [string, string[]]

/**
 * Channel history in Redis Streams, which any instance can replay and which outlives every server
 * process: `<prefix>history:{<channel>}` holds the publications (`XADD … MAXLEN ~ size`, ids
 * `<offset>-0`), `<prefix>position:{<channel>}` the epoch and the last offset. Appends and reads
 * are Lua scripts, so offsets go up by exactly one across every instance and a read sees a
 * position and its entries at one moment. Entries older than `ttl` (by Redis's clock) count as
 * trimmed, and both keys expire `ttl` after the last append, when the channel starts a new epoch.
 */
export function redisHistory(connection: RedisConnection, prefix: string): History {
  let limits: HistoryLimits = { size: 0, ttl: 0 }
  const keys = (channel: string) => [`${prefix}history:{${channel}}`, `${prefix}position:{${channel}}`]
  const position = (reply: unknown): Position => {
    const [epoch, offset] = reply as [string, number]
    return { epoch: String(epoch), offset: Number(offset) }
  }

  return {
    async start(host) {
      limits = host.limits
      await connection.open(host.report)
    },

    async append(channel, frame) {
      const { commands } = await connection.ready()
      return position(await append(commands, keys(channel), [newEpoch(), limits.ttl, limits.size, frame]))
    },

    async top(channel) {
      const { commands } = await connection.ready()
      return position(await top(commands, keys(channel), [newEpoch(), limits.ttl]))
    },

    async since(channel, from, limit): Promise<Replay> {
      const { commands } = await connection.ready()
      const first = from.offset + 1
      const reply = (await since(commands, keys(channel), [
        newEpoch(),
        limits.ttl,
        from.epoch,
        Number.isInteger(first) && first > 0 ? first : 0,
        limit + 1,
      ])) as [string, number, number, RawEntry[]]
      const [, , now, raw] = reply
      const current = position(reply)
      const given = Number.isInteger(from.offset) && from.offset >= 0 && from.offset <= current.offset
      if (from.epoch !== current.epoch || !given) return { gap: 'epoch', top: current }
      const missed = current.offset - from.offset
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
      await connection.release()
    },
  }
}
