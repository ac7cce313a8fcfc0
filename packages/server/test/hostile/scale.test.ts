// Many peers against a server in its own process (--unhandled-rejections=strict): 5,000 idle peers
// cost a bounded amount of memory each, and 10,000 connect/disconnect cycles through the Redis
// adapter leave the heap, the listeners, the process's resources and Redis's subscriptions and
// connections where they were.
import { randomUUID } from 'node:crypto'
import { createClient } from '@redis/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { onCleanup } from '../support/hub.js'
import { type RedisServer, requireRedisServer, startRedis } from '../support/redis.js'
import type { Measure } from './protocol.js'
import { startServer, WAIT_LIMIT } from './support.js'

const KiB = 1024

/** Opens a raw ws client; rejects on an error before it opens. */
function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url)
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

/** Sends a request and resolves with its reply frame; rejects after WAIT_LIMIT or at close. */
function ask(ws: WebSocket, type: string, id: string, data: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer)
      ws.off('message', onMessage)
      ws.off('close', onClose)
    }
    const onMessage = (raw: WebSocket.RawData) => {
      const frame = JSON.parse(String(raw))
      if (frame.re !== id) return
      done()
      resolve(frame)
    }
    const onClose = () => {
      done()
      reject(new Error(`the connection closed before the reply to ${id}`))
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`no reply to ${id} within ${WAIT_LIMIT} ms`))
    }, WAIT_LIMIT)
    ws.on('message', onMessage)
    ws.on('close', onClose)
    ws.send(JSON.stringify({ type, id, data }))
  })
}

/** Runs `count` tasks, `parallel` at a time. */
async function inParallel(count: number, parallel: number, task: (i: number) => Promise<void>) {
  let next = 0
  const worker = async () => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: parallel }, worker))
}

const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`

describe('many peers', () => {
  it('holds 5,000 idle peers at a bounded cost each (reported), and still answers', async () => {
    const server = await startServer({ heartbeat: false })
    const before = await server.measure()
    const peers: WebSocket[] = []
    onCleanup(() => {
      for (const ws of peers) ws.terminate()
    })
    await inParallel(5000, 100, async () => {
      peers.push(await open(server.url))
    })
    const probe = await open(server.url)
    peers.push(probe)
    expect(await ask(probe, 'echo', 'probe.1', 'alive')).toEqual({ re: 'probe.1', data: 'alive' })
    const after = await server.measure()
    expect(after.stats.peers).toBe(5001)
    const heap = (after.heapUsed + after.external - before.heapUsed - before.external) / 5001
    const rss = (after.rss - before.rss) / 5001
    console.log(
      `5,000 idle peers: heap + external ${(heap / KiB).toFixed(1)} KiB per peer, RSS ${(rss / KiB).toFixed(1)} KiB per peer (heap ${mib(before.heapUsed)} -> ${mib(after.heapUsed)}, RSS ${mib(before.rss)} -> ${mib(after.rss)})`,
    )
    expect(heap).toBeLessThan(16 * KiB)
    expect(rss).toBeLessThan(64 * KiB)
  }, 60_000)
})

const redisServer = requireRedisServer()

describe.skipIf(!redisServer)('connect/disconnect cycles through Redis', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
  })
  afterAll(() => redis?.stop())

  /** What Redis holds for the server: its connections, channel subscriptions and pattern subscriptions. */
  async function redisState() {
    const client = createClient({ url: redis.url })
    await client.connect()
    try {
      const clients = (await client.clientList()).length - 1 // this client is not the server's
      const channels = (await client.pubSubChannels()).length
      const patterns = await client.pubSubNumPat()
      return { clients, channels, patterns }
    } finally {
      client.destroy()
    }
  }

  it('leaves the heap, listeners, resources and Redis subscriptions flat over 10,000 cycles', async () => {
    const prefix = `hostile:${randomUUID()}:`
    // Members leave at once (no grace period), so that a measure finds no leave still under way.
    const server = await startServer({ heartbeat: false, presence: { grace: 0 } }, { url: redis.url, prefix })
    /** One peer's life: connects, joins a channel, makes a request, leaves (half close, half drop). */
    const cycle = async (i: number) => {
      const ws = await open(server.url)
      const client = `c${i}`
      const joined = await ask(ws, '$join', `${client}.1`, { channel: `room:${i % 10}` })
      expect(joined.data).toBeDefined()
      expect((await ask(ws, 'echo', `${client}.2`, i)).data).toBe(i)
      const closed = new Promise((resolve) => ws.once('close', resolve))
      if (i % 2) ws.close()
      else ws.terminate()
      await closed
    }
    const settled = async () => {
      // Every peer the server saw is gone, and what their leaving set off (presence's Redis
      // scripts) is done, before it is measured: two measures in a row agree.
      let before: Measure | null = null
      let measure: Measure = await server.measure()
      for (let i = 0; i < 100 && (measure.stats.peers > 0 || measure.resources !== before?.resources); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        before = measure
        measure = await server.measure()
      }
      return measure
    }
    await inParallel(2000, 50, cycle)
    const warm = await settled()
    const warmRedis = await redisState()
    const started = performance.now()
    await inParallel(8000, 50, (i) => cycle(2000 + i))
    const end = await settled()
    const endRedis = await redisState()
    const perCycle = (end.heapUsed + end.external - warm.heapUsed - warm.external) / 8000
    console.log(
      `10,000 cycles (8,000 measured, ${Math.round(performance.now() - started)} ms): heap + external ${perCycle.toFixed(1)} B per cycle (heap ${mib(warm.heapUsed)} -> ${mib(end.heapUsed)}); resources ${warm.resources} -> ${end.resources}; ws server listeners ${warm.serverListeners} -> ${end.serverListeners}; Redis ${JSON.stringify(warmRedis)} -> ${JSON.stringify(endRedis)}`,
    )
    expect(end.stats).toMatchObject({ peers: 0, connections: 10_000, requests: 10_000, joins: 10_000 })
    // A peer kept by mistake would hold about 9 KiB (see the idle peers above); noise stays well under 1 KiB.
    expect(perCycle).toBeLessThan(1024)
    expect(end.serverListeners).toBe(warm.serverListeners)
    expect(end.resources).toBe(warm.resources)
    expect(endRedis).toEqual(warmRedis)
  }, 90_000)
})
