// The Redis adapter under load and outages, with the server in its own process: claims that cannot
// reach Redis fail fast and leave no marker behind, a flood leaves no running marker, an outage is
// reported once and lost broadcasts are counted, and replies are stored before Redis is closed.
import { randomUUID } from 'node:crypto'
import { createClient } from '@redis/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { onCleanup } from '../support/hub.js'
import { launch, type RedisServer, requireRedisServer, startRedis } from '../support/redis.js'
import { hostileClient, startServer } from './support.js'

const redisServer = requireRedisServer()

describe.skipIf(!redisServer)('the Redis adapter under attack', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
  })
  afterAll(() => redis?.stop())

  async function redisClient() {
    const client = createClient({ url: redis.url })
    await client.connect()
    onCleanup(() => client.close())
    return client
  }

  /** The request keys under `prefix` still holding the running marker. */
  async function runningMarkers(prefix: string) {
    const client = await redisClient()
    const keys = await client.keys(`${prefix}request:*`)
    const values = keys.length ? await client.mGet(keys) : []
    return { keys: keys.length, running: values.filter((value) => value === '').length }
  }

  it('answers UNAVAILABLE within claimTimeout while Redis is frozen; the handler never runs, and no marker is left', async () => {
    const prefix = `hostile:${randomUUID()}:`
    const server = await startServer({ dedupe: { claimTimeout: 300 } }, { url: redis.url, prefix })
    const client = await hostileClient(server.url)
    expect(await client.request('echo', 'warm', 'p.0')).toEqual({ re: 'p.0', data: 'warm' })
    redis.pause()
    try {
      const started = performance.now()
      const reply = await client.request('echo', 'during', 'p.1', 5000)
      expect(reply).toMatchObject({ error: { code: 'UNAVAILABLE' } })
      expect(performance.now() - started).toBeLessThan(3000)
    } finally {
      redis.resume()
    }
    // Redis answers the claim late, after the request was answered: it is given back.
    expect(await client.request('echo', 'after', 'p.2')).toEqual({ re: 'p.2', data: 'after' })
    const { calls, stats } = await server.measure()
    expect(calls.echo).toBe(2)
    expect(stats.unavailable).toBe(1)
    await server.stop()
    expect((await runningMarkers(prefix)).running).toBe(0)
  })

  it('leaves no running marker after 60,000 requests from one peer, and answers another peer', async () => {
    const prefix = `hostile:${randomUUID()}:`
    const server = await startServer({ rateLimit: false }, { url: redis.url, prefix })
    const attacker = await hostileClient(server.url)
    for (let i = 0; i < 60_000; i++) {
      attacker.send({ type: 'echo', id: `flood.${i}`, data: i })
      if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve))
    }
    const other = await hostileClient(server.url)
    expect(await other.request('echo', 'me', 'other.1', 5000)).toEqual({ re: 'other.1', data: 'me' })
    await attacker.reply('flood.59999', 30_000)
    const { stats } = await server.measure()
    expect(stats.unavailable).toBe(0)
    await server.stop()
    expect((await runningMarkers(prefix)).running).toBe(0)
  })

  it('stores the reply of a running handler before close() closes Redis, and waits for it', async () => {
    const prefix = `hostile:${randomUUID()}:`
    const server = await startServer({}, { url: redis.url, prefix })
    const client = await hostileClient(server.url)
    const handling = server.next('handling')
    client.send({ type: 'delayed', id: 'late.1', data: 300 })
    await handling
    server.command({ cmd: 'close', timeout: 5000 })
    const closed = await server.next('closed')
    expect(await client.reply('late.1')).toEqual({ re: 'late.1', data: 'done late.1' })
    expect(await client.closed).toBe(1012)
    expect(closed.ms).toBeGreaterThanOrEqual(250)
    const keys = await (await redisClient()).keys(`${prefix}request:*late.1`)
    const stored = await (await redisClient()).get(keys[0] as string)
    expect(stored).toBe('{"re":"late.1","data":"done late.1"}')
  })

  it('keeps serving its own peers while Redis is down, reports the outage once, and recovers by itself', async () => {
    const own = await startRedis(redisServer as string)
    onCleanup(() => own.stop())
    const prefix = `hostile:${randomUUID()}:`
    const server = await startServer({ dedupe: { claimTimeout: 300 } }, { url: own.url, prefix })
    const sender = await hostileClient(server.url)
    const listener = await hostileClient(server.url)
    await own.stop()
    for (let i = 0; i < 5; i++) sender.send({ type: 'chat', data: { text: `during ${i}` } })
    await listener.until(
      () => (listener.messages.get('chat') === 5 ? true : undefined),
      'the broadcasts at a peer of this instance',
    )
    expect(await sender.request('echo', 'x', 'down.1')).toMatchObject({ error: { code: 'UNAVAILABLE' } })
    expect(await sender.request('echo', 'x', 'down.2')).toMatchObject({ error: { code: 'UNAVAILABLE' } })
    const back = await launch(redisServer as string, own.port)
    onCleanup(() => back.stop())
    // node-redis reconnects by itself: requests are answered again.
    let answered: Record<string, unknown> | undefined
    for (let attempt = 0; attempt < 50 && !answered?.data; attempt++) {
      answered = await sender.request('echo', 'again', `up.${attempt}`)
    }
    expect(answered).toMatchObject({ data: 'again' })
    const { stats } = await server.measure()
    const reported = server.reports.filter((report) => report.event === 'error' && report.code === 'ADAPTER_FAILED')
    expect(stats.adapterErrors).toBeGreaterThan(2)
    expect(reported.length).toBe(1)
    await server.stop()
  })
})
