import { randomUUID } from 'node:crypto'
import { type History, memoryHistory } from '@lifeline/server'
import { createRedisConnection, redisHistory } from '@lifeline/server/redis'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { historySemantics } from './support/historySemantics.js'
import { onCleanup } from './support/hub.js'
import { type RedisServer, requireRedisServer, startRedis } from './support/redis.js'

const redisServer = requireRedisServer()
const TTL = 300_000
const channelName = () => `room:${randomUUID()}`

describe('memoryHistory', () => {
  historySemantics(async (size) => {
    const history = memoryHistory()
    await history.start({ limits: { size, ttl: TTL }, report: () => {} })
    onCleanup(() => history.close())
    return history
  }, channelName)

  describe('with time passing', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    async function started(ttl: number): Promise<History> {
      vi.useFakeTimers({ toFake: ['performance'] })
      const history = memoryHistory()
      await history.start({ limits: { size: 100, ttl }, report: () => {} })
      return history
    }

    it('counts entries older than ttl as trimmed', async () => {
      const history = await started(1000)
      const start = await history.top('chat')
      await history.append('chat', 'old')
      vi.advanceTimersByTime(600)
      await history.append('chat', 'new')
      vi.advanceTimersByTime(400)
      expect(await history.since('chat', start, 10)).toEqual({ gap: 'trimmed', top: { ...start, offset: 2 } })
      expect(await history.since('chat', { ...start, offset: 1 }, 10)).toMatchObject({ entries: [{ frame: 'new' }] })
    })

    it('forgets a channel with nothing appended for ttl: it comes back in a new epoch', async () => {
      const history = await started(1000)
      const before = await history.append('chat', 'f1')
      vi.advanceTimersByTime(1000)
      const after = await history.top('chat')
      expect(after.offset).toBe(0)
      expect(after.epoch).not.toBe(before.epoch)
      expect(await history.since('chat', before, 10)).toEqual({ gap: 'epoch', top: after })
    })
  })
})

describe.skipIf(!redisServer)('redisHistory against a real redis-server', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
  })
  afterAll(() => redis?.stop())

  async function started(size: number, ttl = TTL, prefix = `test:${randomUUID()}:`): Promise<History> {
    const history = redisHistory(createRedisConnection({ url: redis.url }), prefix)
    await history.start({ limits: { size, ttl }, report: () => {} })
    onCleanup(() => history.close())
    return history
  }

  historySemantics((size) => started(size), channelName)

  it('keeps positions across instances and restarts: another process appends and replays where one left off', async () => {
    const prefix = `test:${randomUUID()}:`
    const [one, two] = [await started(10, TTL, prefix), await started(10, TTL, prefix)]
    const first = await one.append('chat', 'from one')
    expect(await two.append('chat', 'from two')).toEqual({ epoch: first.epoch, offset: 2 })
    await one.close()
    const three = await started(10, TTL, prefix)
    expect(await three.since('chat', first, 10)).toMatchObject({ gap: null, entries: [{ frame: 'from two' }] })
  })

  it('numbers appends made at once on two instances 1 to n, none twice', async () => {
    const prefix = `test:${randomUUID()}:`
    const [one, two] = [await started(100, TTL, prefix), await started(100, TTL, prefix)]
    const positions = await Promise.all(
      Array.from({ length: 40 }, (_, n) => (n % 2 ? one : two).append('chat', `f${n}`)),
    )
    expect(positions.map((p) => p.offset).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, n) => n + 1))
  })

  it("counts entries older than ttl, by Redis's clock, as trimmed, and starts a new epoch once the keys expire", async () => {
    // Redis's own clock and key expiry cannot be faked: a short ttl and a real wait.
    const history = await started(10, 150)
    const first = await history.append('chat', 'old')
    await new Promise((resolve) => setTimeout(resolve, 100))
    await history.append('chat', 'new')
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(await history.since('chat', { ...first, offset: 0 }, 10)).toMatchObject({ gap: 'trimmed' })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const after = await history.top('chat')
    expect(after).toEqual({ epoch: expect.not.stringMatching(first.epoch), offset: 0 })
  })
})
