// @lifeline/server/metrics: a hub's counters as prom-client metrics, read from the registry's text
// output (what a Prometheus scrape gets), against a real ws server on 127.0.0.1.
import { memoryAdapter } from '@lifeline/server'
import { collectHubMetrics } from '@lifeline/server/metrics'
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import type WebSocket from 'ws'
import { gate, nextPeer, onCleanup, rawClient, startHub, until } from './support/hub.js'

/** The samples of a scrape: `name{labels}` -> value. */
async function scrape(registry: Registry): Promise<Map<string, number>> {
  const samples = new Map<string, number>()
  for (const line of (await registry.metrics()).split('\n')) {
    if (!line || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    samples.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return samples
}

/** A registry of the test's own, with the hub's metrics in it. */
function registryOf(hub: Parameters<typeof collectHubMetrics>[0], options = {}) {
  const registry = new Registry()
  onCleanup(collectHubMetrics(hub, { register: registry, ...options }))
  return registry
}

/** Every frame a raw client receives, parsed. */
function framesOf(ws: WebSocket) {
  const frames: Array<Record<string, unknown>> = []
  ws.on('message', (raw) => frames.push(JSON.parse(String(raw))))
  return frames
}

describe('@lifeline/server/metrics', () => {
  it("exports the hub's counters as Prometheus metrics, read at each scrape", async () => {
    const { hub, url } = await startHub({ heartbeat: false })
    hub.on('connection', (peer) => {
      peer.on('chat', (data) => hub.broadcast('chat', data))
      peer.handle('echo', (data) => data)
    })
    const registry = registryOf(hub)
    const [ada, grace] = [await rawClient(url), await rawClient(url)]
    const adaFrames = framesOf(ada)
    const graceFrames = framesOf(grace)
    ada.send('{"type":"chat","data":"hi"}')
    ada.send('{"type":"echo","id":"e1","data":1}')
    ada.send('{"type":"nobody","id":"n1"}')
    ada.send('{"re":"never-asked","data":1}')
    ada.send('{ not json')
    await until(() => adaFrames.length === 3 && graceFrames.length === 1, 'the chat, the reply and NO_HANDLER')

    const samples = await scrape(registry)
    expect(Object.fromEntries(samples)).toMatchObject({
      'lifeline_connections{transport="websocket"}': 2,
      lifeline_connections_opened_total: 2,
      lifeline_messages_received_total: 1,
      lifeline_frames_sent_total: 6, // each peer's accept, the chat to both, the reply and NO_HANDLER
      lifeline_requests_total: 1,
      lifeline_requests_unhandled_total: 1,
      lifeline_unknown_replies_total: 1,
      'lifeline_bad_frames_total{reason="invalid_json"}': 1,
      'lifeline_bad_frames_total{reason="oversize"}': 0,
      'lifeline_limits_hit_total{limit="maxInFlight"}': 0,
      'lifeline_peers_cut_total{reason="slow_consumer"}': 0,
      lifeline_channel_replays_total: 0,
      lifeline_channel_gaps_total: 0,
      lifeline_adapter_errors_total: 0,
    })
    expect(await registry.metrics()).toContain('# TYPE lifeline_requests_total counter')
    expect(await registry.metrics()).toContain('# TYPE lifeline_connections gauge')

    // A second scrape reads the counts again, not on top of the first; the gauge follows the peers.
    grace.close()
    await until(() => hub.stats().peers === 1, 'the hub to see Grace go')
    const again = await scrape(registry)
    expect(again.get('lifeline_connections{transport="websocket"}')).toBe(1)
    expect(again.get('lifeline_requests_total')).toBe(1)
    expect(again.get('lifeline_connections_opened_total')).toBe(2)
  })

  it('counts the limits hit by the option that set them, and Redis (adapter) errors', async () => {
    const memory = memoryAdapter()
    let claims = 0
    const claim: typeof memory.replies.claim = (...args) =>
      ++claims === 1 ? Promise.reject(new Error('redis is down')) : memory.replies.claim(...args)
    const { hub, url } = await startHub({
      heartbeat: false,
      maxInFlight: 1,
      adapter: { ...memory, replies: { ...memory.replies, claim } },
    })
    hub.on('error', () => {})
    const running = gate<string>()
    hub.on('connection', (peer) => peer.handle('work', () => running.promise))
    const registry = registryOf(hub)
    const connected = nextPeer(hub)
    const client = await rawClient(url)
    await connected
    const frames = framesOf(client)
    client.send('{"type":"work","id":"w1"}') // the claim fails: UNAVAILABLE
    await until(() => frames.length === 1, 'the UNAVAILABLE reply')
    client.send('{"type":"work","id":"w2"}') // runs, and holds the only slot
    client.send('{"type":"work","id":"w3"}') // BUSY
    await until(() => frames.length === 2, 'the BUSY reply')
    running.open('done')
    await until(() => frames.length === 3, 'the reply to w2')
    expect(frames.map((frame) => (frame.error as { code?: string })?.code ?? frame.data)).toEqual([
      'UNAVAILABLE',
      'BUSY',
      'done',
    ])
    const samples = await scrape(registry)
    expect(samples.get('lifeline_limits_hit_total{limit="maxInFlight"}')).toBe(1)
    expect(samples.get('lifeline_limits_hit_total{limit="claimTimeout"}')).toBe(1)
    expect(samples.get('lifeline_adapter_errors_total')).toBe(1)
  })

  it('tells two hubs apart by a label, refuses a name taken, and takes its metrics out again', async () => {
    const first = await startHub({ heartbeat: false })
    const second = await startHub({ heartbeat: false })
    const registry = new Registry()
    const remove = collectHubMetrics(first.hub, { register: registry, labels: { hub: 'chat' } })
    await rawClient(first.url)
    await until(() => first.hub.stats().peers === 1, 'the peer')
    expect(() => collectHubMetrics(second.hub, { register: registry })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    )
    collectHubMetrics(second.hub, { register: registry, prefix: 'game_', labels: { hub: 'game' } })
    const samples = await scrape(registry)
    expect(samples.get('lifeline_connections{hub="chat",transport="websocket"}')).toBe(1)
    expect(samples.get('game_connections{hub="game",transport="websocket"}')).toBe(0)
    remove()
    expect(await registry.metrics()).not.toContain('lifeline_')
    expect(await registry.metrics()).toContain('game_requests_total')
  })
})
