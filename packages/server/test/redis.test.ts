import { randomUUID } from 'node:crypto'
import { attach } from '@lifeline/server'
import { type RedisClientLike, redisAdapter } from '@lifeline/server/redis'
import { createClient } from '@redis/client'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { next, nextPeer, onCleanup, openClient, startHub } from './support/hub.js'
import { type RedisServer, requireRedisServer, startRedis } from './support/redis.js'

const redisServer = requireRedisServer()

interface Chat {
  chat: { text: string }
}

describe.skipIf(!redisServer)('redisAdapter against a real redis-server', () => {
  let redis: RedisServer
  /** A client of the tests' own, to look at what the adapters left in Redis. */
  let inspector: ReturnType<typeof createClient>

  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
    inspector = createClient({ url: redis.url })
    await inspector.connect()
  })
  afterAll(async () => {
    await inspector?.close()
    await redis?.stop()
  })

  /** A fresh prefix per test, so tests share nothing through Redis. */
  const isolated = () => `test:${randomUUID()}:`

  /** An adapter's reply store, started as a hub would start it; closed after the test. */
  async function startAdapter(prefix: string, ttl = 60_000) {
    const adapter = redisAdapter({ url: redis.url, prefix }).replies
    await adapter.start({ report: vi.fn(), dedupe: { ttl, max: 10, maxBytes: 1e6, claimTimeout: 2000 } })
    onCleanup(() => adapter.close())
    return { adapter }
  }

  const signal = () => new AbortController().signal

  it('sends a broadcast made on one instance to the peers of both, once each', async () => {
    const prefix = isolated()
    const one = await startHub<Chat, Chat>({ adapter: redisAdapter({ url: redis.url, prefix }) })
    const two = await startHub<Chat, Chat>({ adapter: redisAdapter({ url: redis.url, prefix }) })
    await Promise.all([one.hub.ready, two.hub.ready])
    const [ada, grace] = [openClient<Chat, Chat>(one.url), openClient<Chat, Chat>(two.url)]
    await Promise.all([next(ada, 'open'), next(grace, 'open')])
    const heard = { ada: [] as string[], grace: [] as string[] }
    const done = (who: keyof typeof heard) =>
      new Promise<void>((resolve) => {
        const socket = who === 'ada' ? ada : grace
        socket.on('chat', ({ text }) => heard[who].push(text) === 2 && resolve())
      })
    const both = Promise.all([done('ada'), done('grace')])

    one.hub.broadcast('chat', { text: 'first' })
    one.hub.broadcast('chat', { text: 'second' })
    await both
    // Redis also hands an instance its own broadcasts back: a second copy would come before 'second'.
    expect(heard).toEqual({ ada: ['first', 'second'], grace: ['first', 'second'] })
  })

  it('lets exactly one of two instances claiming the same ids at once run each; the other gets its reply', async () => {
    const prefix = isolated()
    const [a, b] = [await startAdapter(prefix), await startAdapter(prefix)]
    const keys = Array.from({ length: 50 }, (_, i) => `id-${i}`)
    const outcomes = await Promise.all(
      keys.map(async (key) => {
        const fromA = Promise.resolve(a.adapter.claim(key, signal()))
        const fromB = Promise.resolve(b.adapter.claim(key, signal()))
        // The loser's claim waits for the reply: the first claim to settle is the winner's.
        const winner = await Promise.race([fromA.then(() => a.adapter), fromB.then(() => b.adapter)])
        await winner.settle(key, `reply ${key}`)
        return Promise.all([fromA, fromB])
      }),
    )
    for (const [i, replies] of outcomes.entries()) {
      expect(replies.filter((reply) => reply === null)).toHaveLength(1)
      expect(replies.filter((reply) => reply === `reply id-${i}`)).toHaveLength(1)
    }
  })

  it('answers a later claim on another instance with the stored reply, kept for ttl', async () => {
    const prefix = isolated()
    const [a, b] = [await startAdapter(prefix, 60_000), await startAdapter(prefix, 60_000)]
    expect(await a.adapter.claim('r1', signal())).toBeNull()
    await a.adapter.settle('r1', '{"re":"r1","data":1}')
    expect(await b.adapter.claim('r1', signal())).toBe('{"re":"r1","data":1}')
    const ttl = await inspector.pTTL(`${prefix}request:r1`)
    expect(ttl).toBeGreaterThan(59_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
    // Nothing stays subscribed once the wait is over.
    expect(await inspector.pubSubNumSub(`${prefix}reply:r1`)).toEqual({ [`${prefix}reply:r1`]: 0 })
  })

  it('rejects a waiting duplicate with REQUEST_LOST once the first claim lapses without a reply', async () => {
    const prefix = isolated()
    const [a, b] = [await startAdapter(prefix, 150), await startAdapter(prefix, 150)]
    expect(await a.adapter.claim('lost', signal())).toBeNull() // its instance "dies": no settle
    await expect(b.adapter.claim('lost', signal())).rejects.toMatchObject({ code: 'REQUEST_LOST' })
  })

  it('stops waiting when the asking peer leaves, and unsubscribes', async () => {
    const prefix = isolated()
    const [a, b] = [await startAdapter(prefix), await startAdapter(prefix)]
    expect(await a.adapter.claim('left', signal())).toBeNull()
    const controller = new AbortController()
    const waiting = b.adapter.claim('left', controller.signal)
    const channel = `${prefix}reply:left`
    await vi.waitFor(async () => expect(await inspector.pubSubNumSub(channel)).toEqual({ [channel]: 1 }))
    controller.abort(new Error('peer left'))
    await expect(waiting).rejects.toThrow('peer left')
    await vi.waitFor(async () => expect(await inspector.pubSubNumSub(channel)).toEqual({ [channel]: 0 }))
  })

  it('dedupes a request resent to another instance after a drop: the first reply, the handler run once', async () => {
    const prefix = isolated()
    const one = await startHub({ adapter: redisAdapter({ url: redis.url, prefix }) })
    const two = await startHub({ adapter: redisAdapter({ url: redis.url, prefix }) })
    await Promise.all([one.hub.ready, two.hub.ready])
    const calls = vi.fn()
    let release: (value: string) => void = () => {}
    const started = new Promise<void>((resolve) => {
      for (const { hub } of [one, two]) {
        hub.on('connection', (peer) =>
          peer.handle('slow', () => {
            calls()
            resolve()
            return new Promise((done) => {
              release = done
            })
          }),
        )
      }
    })
    let target = one.url
    const socket = openClient<{}, { slow: undefined }, { slow: string }>(() => target)
    const firstPeer = await nextPeer(one.hub)
    const reply = socket.request('slow')
    await started
    target = two.url
    const resent = new Promise((resolve) => two.hub.on('connection', (peer) => peer.socket.on('message', resolve)))
    firstPeer.socket.terminate()
    await resent
    release('from instance one')
    expect(await reply).toBe('from instance one')
    expect(calls).toHaveBeenCalledTimes(1)
    expect(two.hub.stats()).toMatchObject({ requests: 0, duplicates: 1 })
  })

  it('runs its commands on a client of yours and leaves it open; it closes only its own connections', async () => {
    const before = (await inspector.clientList()).length
    const client = createClient({ url: redis.url })
    await client.connect()
    const { wss } = await startHub()
    const hub = attach(wss, { adapter: redisAdapter({ client: client as unknown as RedisClientLike }) })
    await hub.ready
    expect((await inspector.clientList()).length).toBe(before + 2) // yours, and one for subscriptions
    await hub.close()
    expect(client.isOpen).toBe(true)
    expect((await inspector.clientList()).length).toBe(before + 1)
    await client.close()
  })

  it('closes both of its connections when it opened them itself', async () => {
    // By id, not by count: a connection closed by an earlier test may still be on the list.
    const ids = async () => new Set((await inspector.clientList()).map((client) => client.id))
    const before = await ids()
    const { wss } = await startHub()
    const hub = attach(wss, { adapter: redisAdapter({ url: redis.url }) })
    await hub.ready
    const opened = [...(await ids())].filter((id) => !before.has(id))
    expect(opened).toHaveLength(2)
    await hub.close()
    // Redis drops a client from CLIENT LIST once it has read the disconnect, a moment after
    // close() resolves: poll for it (it sends no event), for at most two seconds.
    let left = opened
    for (const deadline = Date.now() + 2000; left.length && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      const now = await ids()
      left = opened.filter((id) => now.has(id))
    }
    expect(left).toEqual([])
  })
})

describe('redisAdapter options', () => {
  it('needs exactly one of url and client', () => {
    const invalid = expect.objectContaining({ code: 'INVALID_OPTIONS' })
    expect(() => redisAdapter({})).toThrow(invalid)
    expect(() => redisAdapter({ url: 'redis://x', client: {} as never })).toThrow(invalid)
    expect(() => redisAdapter({ url: 'redis://x', prefix: 1 as never })).toThrow(invalid)
  })
})
