import { randomUUID } from 'node:crypto'
import { type ChannelPublication, type History, memoryHistory } from '@lifeline/server'
import { createRedisConnection, redisHistory } from '@lifeline/server/redis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { historySemantics } from './support/historySemantics.js'
import { onCleanup, until } from './support/hub.js'
import { type RedisServer, requireRedisServer, startRedis } from './support/redis.js'

const redisServer = requireRedisServer()
const TTL = 300_000
const DAY = 86_400_000
const channelName = () => `room:${randomUUID()}`

/** A history host: deliveries to `deliver`, the channels in `joined` are those with peers in them. */
function hostOf(
  limits: { size: number; ttl: number; positionTtl: number },
  deliver: (publication: ChannelPublication) => void = () => {},
  joined: Set<string> = new Set(),
) {
  return {
    limits,
    deliver,
    joined: () => joined,
    isJoined: (channel: string) => joined.has(channel),
    report: (error: unknown) => {
      throw error
    },
  }
}

describe('memoryHistory', () => {
  historySemantics(async (size, deliver) => {
    const history = memoryHistory()
    await history.start(hostOf({ size, ttl: TTL, positionTtl: DAY }, deliver))
    onCleanup(() => history.close())
    return history
  }, channelName)

  describe('with time passing', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    async function started(ttl: number, positionTtl: number, joined?: Set<string>): Promise<History> {
      vi.useFakeTimers({ toFake: ['performance'] })
      const history = memoryHistory()
      await history.start(hostOf({ size: 100, ttl, positionTtl }, undefined, joined))
      return history
    }

    it('counts entries older than ttl as trimmed', async () => {
      const history = await started(1000, 10_000)
      const start = await history.top('chat')
      await history.append('chat', '"old"')
      vi.advanceTimersByTime(600)
      await history.append('chat', '"new"')
      vi.advanceTimersByTime(400)
      expect(await history.since('chat', start, 10)).toEqual({ gap: 'trimmed', top: { ...start, offset: 2 } })
      expect(await history.since('chat', { ...start, offset: 1 }, 10)).toMatchObject({ entries: [{ offset: 2 }] })
    })

    it('keeps the position of a channel idle for longer than ttl: its top is answered without a gap', async () => {
      const history = await started(1000, 10_000)
      const top = await history.append('chat', '"last"')
      vi.advanceTimersByTime(9_999)
      expect(await history.since('chat', top, 10)).toEqual({ gap: null, entries: [], top })
      expect(await history.since('chat', { ...top, offset: 0 }, 10)).toEqual({ gap: 'trimmed', top })
    })

    it('renews a position on every join, so a channel joined now and then is never forgotten', async () => {
      const history = await started(1000, 10_000)
      const top = await history.append('chat', '"last"')
      for (let n = 0; n < 5; n++) {
        vi.advanceTimersByTime(9_000)
        expect(await history.since('chat', top, 10)).toEqual({ gap: null, entries: [], top })
      }
    })

    it('forgets a position unused for positionTtl with no peer in it: it comes back in a new epoch', async () => {
      const history = await started(1000, 10_000)
      const before = await history.append('chat', '"f1"')
      vi.advanceTimersByTime(10_000)
      const after = await history.top('chat')
      expect(after.offset).toBe(0)
      expect(after.epoch).not.toBe(before.epoch)
      expect(await history.since('chat', before, 10)).toEqual({ gap: 'epoch', top: after })
    })

    it('keeps the position of a channel with peers in it however long nothing happens', async () => {
      const history = await started(1000, 10_000, new Set(['chat']))
      const top = await history.append('chat', '"f1"')
      for (let n = 0; n < 5; n++) {
        vi.advanceTimersByTime(10_000)
        await history.top('other') // any use sweeps
      }
      expect(await history.since('chat', top, 10)).toEqual({ gap: null, entries: [], top })
    })
  })
})

describe.skipIf(!redisServer)('redisHistory against a real redis-server', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
  })
  afterAll(() => redis?.stop())

  async function started(
    size: number,
    options: { ttl?: number; positionTtl?: number; prefix?: string; joined?: Set<string> } = {},
    deliver?: (publication: ChannelPublication) => void,
  ): Promise<History> {
    const { ttl = TTL, positionTtl = DAY, prefix = `test:${randomUUID()}:`, joined } = options
    const history = redisHistory(createRedisConnection({ url: redis.url }), prefix)
    await history.start(hostOf({ size, ttl, positionTtl }, deliver, joined))
    onCleanup(() => history.close())
    return history
  }

  historySemantics((size, deliver) => started(size, {}, deliver), channelName)

  it('keeps positions across instances and restarts: another process appends and replays where one left off', async () => {
    const prefix = `test:${randomUUID()}:`
    const [one, two] = [await started(10, { prefix }), await started(10, { prefix })]
    const first = await one.append('chat', '"from one"')
    expect(await two.append('chat', '"from two"')).toEqual({ epoch: first.epoch, offset: 2 })
    await one.close()
    await two.close()
    const three = await started(10, { prefix })
    expect(await three.since('chat', first, 10)).toMatchObject({ gap: null, entries: [{ offset: 2 }] })
  })

  it('numbers appends made at once on two instances 1 to n, none twice, and each instance receives all in order', async () => {
    const prefix = `test:${randomUUID()}:`
    const heard: Array<number[]> = [[], []]
    const [one, two] = [
      await started(100, { prefix }, ({ offset }) => heard[0]?.push(offset)),
      await started(100, { prefix }, ({ offset }) => heard[1]?.push(offset)),
    ]
    const positions = await Promise.all(
      Array.from({ length: 40 }, (_, n) => (n % 2 ? one : two).append('chat', String(n))),
    )
    const all = Array.from({ length: 40 }, (_, n) => n + 1)
    expect(positions.map((p) => p.offset).sort((a, b) => a - b)).toEqual(all)
    await until(() => heard.every((offsets) => offsets.length === 40), 'every publication on both instances')
    expect(heard).toEqual([all, all])
  })

  it("counts entries older than ttl, by Redis's clock, as trimmed, and keeps the position after they expire", async () => {
    // Redis's own clock and key expiry cannot be faked: a short ttl and real waits.
    const history = await started(10, { ttl: 150, positionTtl: 60_000 })
    const first = await history.append('chat', '"old"')
    await new Promise((resolve) => setTimeout(resolve, 100))
    const last = await history.append('chat', '"new"')
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(await history.since('chat', { ...first, offset: 0 }, 10)).toMatchObject({ gap: 'trimmed' })
    await new Promise((resolve) => setTimeout(resolve, 200)) // the stream itself has expired
    expect(await history.since('chat', last, 10)).toEqual({ gap: null, entries: [], top: last })
    expect(await history.since('chat', first, 10)).toEqual({ gap: 'trimmed', top: last })
  })

  it('forgets a position unused for positionTtl, unless peers of an instance are in the channel', async () => {
    const history = await started(10, { ttl: 100, positionTtl: 300, joined: new Set(['kept']) })
    const kept = await history.append('kept', '1')
    const lost = await history.append('lost', '1')
    await new Promise((resolve) => setTimeout(resolve, 700)) // renewed every 75 ms
    expect(await history.top('kept')).toEqual(kept)
    expect(await history.top('lost')).toEqual({ epoch: expect.not.stringMatching(lost.epoch), offset: 0 })
  })
})
