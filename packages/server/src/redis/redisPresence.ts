import { randomBytes } from 'node:crypto'
import type { PresenceHost, PresenceMember, PresenceStore } from '@lifeline/server'
import { type RedisConnection, type RedisListener, script } from './redisConnection.js'

// Every script: KEYS[1] the channel's members' data (id -> JSON), [2] how many instances hold each
// member (id -> n), [3] the channel's presence version (+1 per join or leave), [4] its live
// instances (instance -> deadline, ms of Redis's clock). ARGV[1] the key prefix of an instance's
// members (`<ARGV[1]><instance>`, a set of ids), [2] the pub/sub channel, [3] the message's text
// before its version, [4] this instance, [5] ttl.
// First, the members of instances past their deadline (dead without a goodbye) leave.
const SWEEP = `
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local function changed(tail)
  local version = redis.call('INCR', KEYS[3])
  redis.call('PEXPIRE', KEYS[3], 86400000)
  redis.call('PUBLISH', ARGV[2], ARGV[3] .. version .. tail)
end
local function left(id)
  if redis.call('HINCRBY', KEYS[2], id, -1) <= 0 then
    redis.call('HDEL', KEYS[2], id)
    redis.call('HDEL', KEYS[1], id)
    changed(',"l",' .. cjson.encode(id) .. ']')
  end
end
for _, dead in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now)) do
  local on = ARGV[1] .. dead
  for _, id in ipairs(redis.call('SMEMBERS', on)) do left(id) end
  redis.call('DEL', on)
  redis.call('ZREM', KEYS[4], dead)
end
local mine = ARGV[1] .. ARGV[4]
local function renew()
  local keep = ARGV[5] * 3
  for i = 1, 2 do redis.call('PEXPIRE', KEYS[i], keep) end
  redis.call('PEXPIRE', KEYS[4], keep)
  redis.call('PEXPIRE', mine, keep)
  -- The version outlives the rest by far, and never expires under a live instance's copy.
  redis.call('PEXPIRE', KEYS[3], 86400000)
end
`

/** ARGV[6], [7], …: ids and their data as JSON, in pairs. Enters them for this instance, and renews it. */
const ENTER = `${SWEEP}
local fresh = redis.call('ZADD', KEYS[4], now + ARGV[5], ARGV[4])
for i = 6, #ARGV, 2 do
  local id = ARGV[i]
  if redis.call('SADD', mine, id) == 1 and redis.call('HINCRBY', KEYS[2], id, 1) == 1 then
    redis.call('HSET', KEYS[1], id, ARGV[i + 1])
    changed(',"j",' .. cjson.encode(id) .. ',' .. ARGV[i + 1] .. ']')
  end
end
renew()
return fresh
`

/** ARGV[6], …: ids this instance no longer holds. */
const EXIT = `${SWEEP}
for i = 6, #ARGV do
  if redis.call('SREM', mine, ARGV[i]) == 1 then left(ARGV[i]) end
end
renew()
return 0
`

/** Renews this instance; returns whether it had been swept (its entries gone) and the version. */
const RENEW = `${SWEEP}
local fresh = redis.call('ZADD', KEYS[4], now + ARGV[5], ARGV[4])
renew()
return {fresh, tonumber(redis.call('GET', KEYS[3]) or '0')}
`

/** The version and every member with its data, at one moment. */
const READ = `${SWEEP}
return {tonumber(redis.call('GET', KEYS[3]) or '0'), redis.call('HGETALL', KEYS[1])}
`

/** ARGV[6]: ms. This instance's members leave that long from now, unless renewed or held elsewhere. */
const GOODBYE = `
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
redis.call('ZADD', KEYS[4], 'XX', now + ARGV[6], ARGV[4])
return 0
`

const enter = script(ENTER)
const exit = script(EXIT)
const renew = script(RENEW)
const read = script(READ)
const goodbye = script(GOODBYE)

/** A change as published: `[channel, version, "j", id, data]` or `[channel, version, "l", id]`. */
type Change = [string, number, 'j' | 'l', string, unknown?]

/** One watched channel's members as this instance knows them, and the version they are at. */
interface Mirror {
  version: number
  members: Map<string, unknown>
  /** The read under way; changes that come meanwhile wait in `queue`. */
  loading: Promise<void> | null
  queue: Change[]
  /** The version Redis had at the last renewal: still behind it at the next one, a change was lost. */
  seen: number
}

const NONE: ReadonlyMap<string, unknown> = new Map()

function isChange(value: unknown): value is Change {
  if (!Array.isArray(value)) return false
  const [channel, version, kind, id] = value
  return (
    typeof channel === 'string' && Number.isInteger(version) && (kind === 'j' || kind === 'l') && typeof id === 'string'
  )
}

/**
 * Presence in Redis, for several instances: per channel, the members' data
 * (`<prefix>presence:{<channel>}:data`), how many instances hold each, a version, the live
 * instances with a deadline each (`…:live`), and each instance's members (`…:on:<instance>`).
 * Joins and leaves are made in Lua scripts that publish them on `<prefix>presence` with the next
 * version, so every instance applies them in order to its copy of the channels its peers are in
 * (and reads the channel again when a version is missing). Each instance renews its deadline
 * every `ttl / 3`; a script that finds an instance past its deadline (it died without a goodbye)
 * takes its members out, and they leave unless another instance holds them. So the members of a
 * killed instance leave at most `ttl + ttl / 3` after it died.
 */
export function redisPresence(connection: RedisConnection, prefix: string): PresenceStore {
  /** This instance; 16 hex characters. */
  const instance = randomBytes(8).toString('hex')
  const topic = `${prefix}presence`
  let host: PresenceHost | null = null
  let timer: ReturnType<typeof setInterval> | undefined
  const mirrors = new Map<string, Mirror>()
  /** The members this instance holds, by channel: entered again if Redis lost them. */
  const mine = new Map<string, Map<string, string>>()
  /** Channels whose last enter failed (Redis was away): entered again whole at the next renewal. */
  const unsure = new Set<string>()
  /** Exits that failed, by channel: tried again at the next renewal. */
  const owed = new Map<string, Set<string>>()

  const base = (channel: string) => `${prefix}presence:{${channel}}`
  const keys = (channel: string) => ['data', 'holders', 'version', 'live'].map((key) => `${base(channel)}:${key}`)
  const args = (channel: string) => [
    `${base(channel)}:on:`,
    topic,
    `[${JSON.stringify(channel)},`,
    instance,
    host?.ttl ?? 0,
  ]
  const report = (error: unknown) => host?.report(error)

  async function run(call: typeof enter, channel: string, more: string[] = []) {
    const { commands } = await connection.ready()
    return call(commands, keys(channel), [...args(channel), ...more])
  }

  /** Applies a published change to a watched channel's copy, in version order. */
  function apply(channel: string, mirror: Mirror, change: Change) {
    const [, version, kind, id, data] = change
    if (version <= mirror.version) return
    // A change is missing (a message lost while the subscription was down): read the whole channel.
    if (version > mirror.version + 1) return void load(channel, mirror)
    mirror.version = version
    if (kind === 'j') {
      mirror.members.set(id, data)
      host?.changed(channel, [{ id, data }], [])
    } else if (mirror.members.delete(id)) host?.changed(channel, [], [id])
  }

  /** Reads the channel's members and version, tells what differs from the copy, then applies what came meanwhile. */
  function load(channel: string, mirror: Mirror): Promise<void> {
    mirror.loading ??= run(read, channel)
      .then((reply) => {
        const [version, flat] = reply as [number, string[]]
        if (!Number.isInteger(version) || !Array.isArray(flat))
          throw new Error('Redis answered a presence read with garbage')
        const members = new Map<string, unknown>()
        for (let i = 0; i + 1 < flat.length; i += 2) members.set(String(flat[i]), parse(flat[i + 1]))
        const joined: PresenceMember[] = []
        for (const [id, data] of members) if (!mirror.members.has(id)) joined.push({ id, data })
        const left = [...mirror.members.keys()].filter((id) => !members.has(id))
        mirror.members = members
        mirror.version = version
        if (mirrors.get(channel) === mirror && (joined.length || left.length)) host?.changed(channel, joined, left)
      })
      .catch(report)
      .finally(() => {
        mirror.loading = null
        for (const change of mirror.queue.splice(0)) apply(channel, mirror, change)
      })
    return mirror.loading
  }

  function parse(text: unknown): unknown {
    try {
      return JSON.parse(String(text))
    } catch (cause) {
      report(cause)
      return null
    }
  }

  const onMessage: RedisListener = (message) => {
    let change: unknown
    try {
      change = JSON.parse(message)
    } catch (cause) {
      return report(cause)
    }
    if (!isChange(change)) return report(new Error(`a presence message that is no change: ${message.slice(0, 100)}`))
    const mirror = mirrors.get(change[0])
    if (!mirror) return
    if (mirror.loading) mirror.queue.push(change)
    else apply(change[0], mirror, change)
  }

  /** Renews this instance in every channel it holds members in; enters them again where Redis lost them. */
  async function renewAll() {
    for (const [channel, ids] of [...owed]) {
      owed.delete(channel)
      for (const id of ids) if (!mine.get(channel)?.has(id)) leave(channel, id)
    }
    await Promise.all(
      [...mine].map(async ([channel, members]) => {
        const [fresh, version] = (await run(renew, channel)) as [number, number]
        if ((fresh === 1 || unsure.delete(channel)) && members.size) await run(enter, channel, [...members].flat())
        const mirror = mirrors.get(channel)
        // Behind what Redis had a renewal ago (a change was lost), or ahead of it (Redis lost its data): read again.
        const stale = mirror && (mirror.version < mirror.seen || Number(version) < mirror.version)
        if (mirror && stale && !mirror.loading) load(channel, mirror)
        if (mirror) mirror.seen = Number(version)
      }),
    )
  }

  /** Takes `id` out for this instance; when Redis cannot be told, at the next renewal. */
  function leave(channel: string, id: string) {
    run(exit, channel, [id]).catch((error) => {
      owed.set(channel, (owed.get(channel) ?? new Set()).add(id))
      report(error)
    })
  }

  return {
    async start(given) {
      host = given
      const { subscriber } = await connection.open(given.report)
      await subscriber.subscribe(topic, onMessage)
      timer = setInterval(() => renewAll().catch(report), Math.max(10, given.ttl / 3))
      timer.unref()
    },
    enter(channel, { id, data }) {
      const text = JSON.stringify(data ?? null)
      const members = mine.get(channel) ?? new Map<string, string>()
      mine.set(channel, members.set(id, text))
      owed.get(channel)?.delete(id)
      run(enter, channel, [id, text]).catch((error) => {
        unsure.add(channel)
        report(error)
      })
    },
    exit(channel, id) {
      const members = mine.get(channel)
      members?.delete(id)
      if (members && !members.size) mine.delete(channel)
      leave(channel, id)
    },
    watch(channel) {
      let mirror = mirrors.get(channel)
      if (!mirror) {
        mirror = { version: -1, members: new Map(), loading: null, queue: [], seen: 0 }
        mirrors.set(channel, mirror)
        return load(channel, mirror)
      }
      return mirror.loading ?? undefined
    },
    unwatch(channel) {
      mirrors.delete(channel)
    },
    members: (channel) => mirrors.get(channel)?.members ?? NONE,
    async close(grace) {
      clearInterval(timer)
      const channels = [...mine.keys()]
      mine.clear()
      mirrors.clear()
      await Promise.all(channels.map((channel) => run(goodbye, channel, [String(grace)]).catch(report)))
      host = null
      await connection.release()
    },
  }
}
