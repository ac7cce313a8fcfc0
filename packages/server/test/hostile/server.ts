// The server of the hostile-client tests, run as its own Node process with
// --unhandled-rejections=strict and --expose-gc (started by support.ts): a `ws` server on a free
// port of 127.0.0.1 with a hub, and handlers that misbehave on purpose. Whatever a client does,
// this process must not crash: the test fails when it exits before it is told to stop.
import { getEventListeners, once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { type AttachOptions, attach } from '@lifeline/server'
import { WebSocketServer } from 'ws'
import type { Command, Measure, Report } from './protocol.js'

const report = (message: Report) => process.send?.(message)
const options = JSON.parse(process.env.HUB_OPTIONS ?? '{}') as AttachOptions & { connectionDelay?: number }
const { connectionDelay, ...attachOptions } = options
if (process.env.REDIS_URL) {
  const { redisAdapter } = await import('@lifeline/server/redis')
  attachOptions.adapter = redisAdapter({ url: process.env.REDIS_URL, prefix: process.env.PREFIX ?? 'hostile:' })
}
if (connectionDelay !== undefined) {
  attachOptions.onConnection = async (peer) => {
    await new Promise((resolve) => setTimeout(resolve, connectionDelay))
    peer.data = { userId: 'checked' }
  }
}

const loop = monitorEventLoopDelay({ resolution: 10 })
loop.enable()
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
await once(wss, 'listening')
const hub = attach(wss, attachOptions)
hub.on('error', (error) => report({ event: 'error', code: error.code, message: error.message }))
await hub.ready

const calls: Record<string, number> = {}
let aborted = 0
const releases = new Map<string, (value: unknown) => void>()
const called = (type: string) => {
  calls[type] = (calls[type] ?? 0) + 1
}

hub.on('connection', (peer) => {
  peer.on('chat', (data) => hub.broadcast('chat', data))
  peer.handle('echo', (data) => {
    called('echo')
    return data
  })
  peer.handle('slow', (_data, { id, signal }) => {
    called('slow')
    report({ event: 'handling', id, type: 'slow' })
    signal.addEventListener('abort', () => aborted++)
    return new Promise((resolve) => releases.set(id, resolve))
  })
  peer.handle('hang', (_data, { signal }) => {
    called('hang')
    signal.addEventListener('abort', () => aborted++)
    return new Promise(() => {})
  })
  peer.handle('delayed', (data, { id }) => {
    called('delayed')
    report({ event: 'handling', id, type: 'delayed' })
    return new Promise((resolve) => setTimeout(() => resolve(`done ${id}`), Number(data) || 0))
  })
  peer.handle('revoked', () => {
    called('revoked')
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    return proxy
  })
  peer.handle('throwingThen', () => {
    called('throwingThen')
    return Object.defineProperty({}, 'then', {
      get() {
        throw new Error('then getter')
      },
    })
  })
  peer.handle('symbol', () => {
    called('symbol')
    return Symbol('nothing')
  })
  peer.handle('whoami', () => {
    called('whoami')
    return peer.data
  })
})

function measure(): Measure {
  globalThis.gc?.()
  const memory = process.memoryUsage()
  let maxAbortListeners = 0
  for (const peer of hub.peers) {
    const signal = (peer as unknown as { signal: AbortSignal }).signal
    maxAbortListeners = Math.max(maxAbortListeners, getEventListeners(signal, 'abort').length)
  }
  const serverListeners = wss.eventNames().reduce((sum, name) => sum + wss.listenerCount(name), 0)
  return {
    stats: hub.stats(),
    heapUsed: memory.heapUsed,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    rss: memory.rss,
    calls,
    aborted,
    maxAbortListeners,
    serverListeners,
    resources: process.getActiveResourcesInfo().length,
    maxLoopDelay: loop.max / 1e6,
  }
}

/** Broadcasts `count` frames of about `bytes` each, a turn apart in chunks of 1 MiB; reports the peak memory growth. */
async function broadcast(count: number, bytes: number) {
  globalThis.gc?.()
  const base = process.memoryUsage()
  const baseline = base.heapUsed + base.external
  let peak = 0
  const text = 'x'.repeat(bytes)
  const perChunk = Math.max(1, Math.floor(1_048_576 / bytes))
  for (let sent = 0; sent < count; sent += perChunk) {
    for (let i = sent; i < Math.min(count, sent + perChunk); i++) hub.broadcast('chat', { text, n: i })
    await new Promise((resolve) => setImmediate(resolve))
    globalThis.gc?.()
    const now = process.memoryUsage()
    peak = Math.max(peak, now.heapUsed + now.external - baseline)
  }
  report({ event: 'broadcasted', peakGrowth: peak, sent: count })
}

process.on('message', async (command: Command) => {
  switch (command.cmd) {
    case 'stats':
      return report({ event: 'measure', measure: measure() })
    case 'release':
      return releases.get(command.id)?.(command.value)
    case 'broadcast':
      return broadcast(command.count, command.bytes)
    case 'close': {
      const started = performance.now()
      const closes: number[] = []
      for (const peer of hub.peers) peer.on('close', () => closes.push(performance.now() - started))
      await hub.close({ drain: command.drain, timeout: command.timeout })
      return report({ event: 'closed', ms: performance.now() - started, closes })
    }
    case 'stop':
      await hub.close({ timeout: 0 })
      for (const ws of wss.clients) ws.terminate()
      await new Promise((resolve) => wss.close(resolve))
      loop.disable()
      process.disconnect()
  }
})

report({ event: 'ready', port: (wss.address() as AddressInfo).port })
