// The server's defences, measured (../lib/defenceServer.mjs runs the servers in a process of their
// own, with --expose-gc):
//   flood        a quiet peer's request round trips (one at a time, `quietRate` a second at most,
//                within its own rate limit) while nothing else happens, then
//                while another peer sends `messages` small messages as fast as it can (from a third
//                process, ../lib/flooder.mjs): p50/p99 quiet and flooded, and the median over `rounds`
//                of each round's p99 ratio. With the default rate limit, and with `rateLimit: false`
//                to show what it does.
//   slowConsumer a peer reads nothing (its socket paused) while the server broadcasts `megabytes` MB
//                in frames of `frameBytes`: the most bytes buffered for it, against `highWaterMark`
//                + one frame, and the peak growth of the server's heap + external memory (a full
//                collection after every MiB); whether it was cut (4008).
//   drain        `peers` Lifeline clients on server A, which stops with `hub.close({ drain })`; the
//                clients (their default reconnect delays) come back to server B: its handshakes in
//                100 ms windows from the start of the close, for each `drains` value.
//   broadcast    one broadcast of a small message to `peers` connected peers, Lifeline
//                (`hub.broadcast`) and socket.io (`io.emit`), alternately, `runs` of each: how long
//                the server's event loop is busy with it (the call and the writes it queues for
//                the end of the turn), and until the last peer got it.
// Peers are raw ws clients in this process (socket.io's speak engine.io's packets by hand:
// open, connect `40`, pong `3`), so the client side costs the same for both servers.
import { connect } from '@lifeline/core'
import WebSocket from 'ws'
import { now, sleep, waitFor } from '../lib/clock.mjs'
import { startDefenceServer, startFlooder } from '../lib/defenceControl.mjs'
import { median, peakInWindow, percentile } from '../lib/stats.mjs'

const WINDOW_MS = 100

/** Opens `count` raw ws clients to `url`, `batch` at a time; `onOpen(ws)` readies each (resolves when ready). */
async function openMany(url, count, batch, ready = () => Promise.resolve()) {
  const clients = []
  for (let i = 0; i < count; i += batch) {
    const wave = Array.from(
      { length: Math.min(batch, count - i) },
      () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(url)
          ws.once('error', reject)
          ws.once('open', () => ready(ws).then(() => resolve(ws), reject))
        }),
    )
    clients.push(...(await Promise.all(wave)))
  }
  return clients
}

/** A socket.io peer by hand: answers the open packet with a connect (`40`) and pings with pongs; ready once connected. */
function socketIoPeer(ws) {
  return new Promise((resolve) => {
    ws.on('message', (raw) => {
      const text = String(raw)
      if (text.startsWith('0')) ws.send('40')
      else if (text.startsWith('40')) resolve()
      else if (text === '2') ws.send('3')
    })
  })
}

/**
 * Echo requests from a raw ws client, one at a time, one every `interval` ms at most (a quiet peer
 * stays well within its rate limit), `count` of them or until `until()`: each round trip in ms,
 * and how many were answered with an error.
 */
async function roundTrips(ws, { count = Number.POSITIVE_INFINITY, until = () => false, prefix, interval }) {
  const times = []
  let errors = 0
  const begin = performance.now()
  for (let i = 0; i < count && !until(); i++) {
    const due = begin + i * interval
    if (due > performance.now()) await sleep(due - performance.now())
    const id = `${prefix}.${i}`
    const start = performance.now()
    const reply = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${id} within 10 s`)), 10_000)
      const onMessage = (raw) => {
        const text = String(raw)
        if (!text.includes(`"re":"${id}"`)) return
        clearTimeout(timer)
        ws.off('message', onMessage)
        resolve(text)
      }
      ws.on('message', onMessage)
      ws.send(`{"type":"echo","id":"${id}","data":${i}}`)
    })
    times.push(performance.now() - start)
    if (reply.includes('"error"')) errors++
  }
  return { times, errors }
}

const p = (times) => ({
  count: times.length,
  p50: percentile(times, 50),
  p99: percentile(times, 99),
  max: Math.max(...times),
})

/** One round: the quiet peer alone, then while a fresh flooder sends `messages`. */
async function floodRound(side, config, round) {
  const interval = 1000 / config.quietRate
  const alone = await roundTrips(side.quiet, { count: config.quietRequests, prefix: `q${round}`, interval })
  const flooder = await startFlooder()
  let flooding = true
  const flooded = flooder.flood(side.url, config.messages).finally(() => {
    flooding = false
  })
  // The first round trip starts once the flood does: give the flooder's connection a moment.
  await sleep(50)
  const during = await roundTrips(side.quiet, { until: () => !flooding, prefix: `f${round}`, interval })
  const attack = await flooded
  await flooder.stop()
  return {
    alone,
    during,
    quietP99: percentile(alone.times, 99),
    floodedP99: percentile(during.times, 99),
    ratio: percentile(during.times, 99) / percentile(alone.times, 99),
    sent: attack.sent,
    floodMs: attack.ms,
    closeCode: attack.closeCode,
  }
}

async function flood(server, config, log) {
  const sides = []
  for (const variant of config.variants) {
    const name = `flood-${variant.name}`
    const { port } = await server.listen(name, 'lifeline', { heartbeat: false, ...variant.options })
    const url = `ws://127.0.0.1:${port}/`
    const [quiet] = await openMany(url, 1, 1)
    await roundTrips(quiet, { count: config.warmup, prefix: 'warm', interval: 1000 / config.quietRate })
    sides.push({ variant, name, url, quiet, rounds: [] })
  }
  // Round by round, the variants in turn (reversed every round), so a busier moment of the machine
  // falls on both.
  for (let round = 0; round < config.rounds; round++) {
    for (const side of round % 2 ? [...sides].reverse() : sides) {
      side.rounds.push(await floodRound(side, config, round))
    }
  }
  const results = []
  for (const { variant, name, quiet, rounds } of sides) {
    const { stats } = await server.take(name)
    quiet.terminate()
    await server.down(name)
    const all = (key) => rounds.flatMap((r) => r[key].times)
    const result = {
      name: variant.name,
      label: variant.label,
      messages: config.messages,
      quietRate: config.quietRate,
      quiet: p(all('alone')),
      flooded: p(all('during')),
      ratio: median(rounds.map((r) => r.ratio)),
      errors: rounds.reduce((sum, r) => sum + r.alone.errors + r.during.errors, 0),
      rounds: rounds.map(({ alone, during, ...round }) => round),
      rateLimited: stats.rateLimited,
      rateLimitCuts: stats.rateLimitCuts,
      messagesRead: stats.messages,
    }
    log?.(
      `  flood, ${variant.label}: p99 ratio ${result.ratio.toFixed(2)} (median of ${rounds.length} rounds: ${rounds.map((r) => `${r.quietP99.toFixed(1)} → ${r.floodedP99.toFixed(1)} ms`).join(', ')}); ${result.errors} error replies to the quiet peer; flooder: ${rounds.map((r) => `${r.sent.toLocaleString('en-US')} in ${Math.round(r.floodMs)} ms${r.closeCode ? `, closed ${r.closeCode}` : ''}`).join('; ')}`,
    )
    results.push(result)
  }
  return results
}

async function slowConsumer(server, config, log) {
  const name = 'slow-consumer'
  const { highWaterMark, frameBytes } = config
  const count = Math.ceil((config.megabytes * 1_000_000) / frameBytes)
  const { port } = await server.listen(name, 'lifeline', { heartbeat: false, highWaterMark })
  const [stalled] = await openMany(`ws://127.0.0.1:${port}/`, 1, 1)
  let closeCode = null
  stalled.on('close', (code) => {
    closeCode = code
  })
  stalled._socket.pause() // reads nothing more: the server's writes pile up
  const volume = await server.broadcastVolume(name, count, frameBytes)
  stalled._socket.resume()
  await waitFor(() => closeCode !== null, 10_000, 20)
  const { stats } = await server.take(name)
  stalled.terminate()
  await server.down(name)
  const limit = highWaterMark + frameBytes
  const result = {
    megabytes: config.megabytes,
    frames: count,
    frameBytes,
    highWaterMark,
    maxBuffered: volume.maxBuffered,
    peakGrowth: volume.peakGrowth,
    limit,
    gcExposed: volume.gcExposed,
    broadcastMs: volume.ms,
    closeCode,
    slowConsumers: stats.slowConsumers,
  }
  log?.(
    `  slow consumer: ${config.megabytes} MB broadcast in ${Math.round(volume.ms)} ms; the most buffered for it ${(volume.maxBuffered / 1_048_576).toFixed(2)} MiB (mark + one frame: ${(limit / 1_048_576).toFixed(2)} MiB); the process's heap + external grew ${(volume.peakGrowth / 1_048_576).toFixed(2)} MiB at most; cut as a slow consumer: ${stats.slowConsumers} (it saw ${closeCode})`,
  )
  return result
}

/** Lifeline clients whose URL is a function, so a reconnect goes where `target.url` says. */
function lifelineClients(target, count) {
  return Array.from({ length: count }, () => connect(() => target.url, { WebSocket }))
}

async function drain(server, config, log) {
  const results = []
  for (const drainMs of config.drains) {
    const a = await server.listen(`drain-a-${drainMs}`, 'lifeline', { heartbeat: false })
    const b = await server.listen(`drain-b-${drainMs}`, 'lifeline', { heartbeat: false })
    const target = { url: `ws://127.0.0.1:${a.port}/` }
    const clients = lifelineClients(target, config.peers)
    const opened = await waitFor(() => clients.every((c) => c.getSnapshot().status === 'open'), 30_000, 20)
    if (!opened) throw new Error(`drain: ${config.peers} clients did not all open`)
    target.url = `ws://127.0.0.1:${b.port}/`
    await server.take(`drain-b-${drainMs}`)
    const closing = await server.close(`drain-a-${drainMs}`, { drain: drainMs })
    const back = await waitFor(
      () => clients.every((c) => c.getSnapshot().status === 'open'),
      drainMs + config.timeout,
      20,
    )
    const { handshakes } = await server.take(`drain-b-${drainMs}`)
    for (const client of clients) client.dispose()
    await server.down(`drain-b-${drainMs}`)
    const since = handshakes.map((t) => t - closing.at)
    const result = {
      drain: drainMs,
      peers: config.peers,
      back: back ? config.peers : clients.filter((c) => c.getSnapshot().status === 'open').length,
      handshakes: handshakes.length,
      closeMs: closing.endedAt - closing.at,
      peakPer100ms: peakInWindow(handshakes, WINDOW_MS),
      p50Ms: percentile(since, 50),
      lastMs: Math.max(...since),
      histogram: histogram(since),
    }
    log?.(
      `  drain ${drainMs} ms: ${result.handshakes}/${config.peers} back at B, the last ${Math.round(result.lastMs)} ms after the close began; peak ${result.peakPer100ms} per 100 ms (${((result.peakPer100ms / config.peers) * 100).toFixed(1)}%)`,
    )
    results.push(result)
  }
  return results
}

/** Times (ms) in 100 ms buckets from 0: `[{ from, count }]`. */
function histogram(times) {
  const buckets = new Map()
  for (const t of times) {
    const from = Math.floor(t / WINDOW_MS) * WINDOW_MS
    buckets.set(from, (buckets.get(from) ?? 0) + 1)
  }
  return [...buckets.entries()].sort(([x], [y]) => x - y).map(([from, count]) => ({ from, count }))
}

async function broadcast(server, config, log) {
  const sides = []
  for (const kind of ['lifeline', 'socket.io']) {
    const { port } = await server.listen(`broadcast-${kind}`, kind, kind === 'lifeline' ? { heartbeat: false } : {})
    const url =
      kind === 'lifeline' ? `ws://127.0.0.1:${port}/` : `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`
    const side = { kind, received: 0, last: 0, runs: [], clients: [] }
    const clients = await openMany(
      url,
      config.peers,
      config.connectBatch,
      kind === 'socket.io' ? socketIoPeer : undefined,
    )
    for (const ws of clients) {
      ws.on('message', (raw) => {
        // Lifeline: {"type":"chat",…}; socket.io: 42["chat",…]
        const text = String(raw)
        if (text.startsWith('{"type":"chat"') || text.startsWith('42["chat"')) {
          side.received++
          side.last = now()
        }
      })
    }
    const { peers } = await server.take(`broadcast-${kind}`)
    if (peers !== config.peers) throw new Error(`broadcast: ${kind} has ${peers} peers, not ${config.peers}`)
    side.clients = clients
    sides.push(side)
  }
  for (let run = 0; run < config.warmup + config.runs; run++) {
    const order = run % 2 ? [...sides].reverse() : sides
    for (const side of order) {
      const target = side.received + config.peers
      const timing = await server.broadcastOnce(`broadcast-${side.kind}`, config.bytes)
      const all = await waitFor(() => side.received >= target, 20_000, 1)
      if (!all)
        throw new Error(`broadcast: ${side.kind} reached ${side.received - target + config.peers}/${config.peers}`)
      if (run >= config.warmup) side.runs.push({ ...timing, deliveredMs: side.last - timing.at })
      await sleep(20)
    }
  }
  for (const side of sides) {
    for (const ws of side.clients) ws.terminate()
    await server.down(`broadcast-${side.kind}`)
  }
  const results = sides.map(({ kind, runs }) => ({
    name: kind,
    peers: config.peers,
    bytes: config.bytes,
    runs: runs.length,
    loopMs: { median: median(runs.map((r) => r.loopMs)), max: Math.max(...runs.map((r) => r.loopMs)) },
    callMs: { median: median(runs.map((r) => r.callMs)), max: Math.max(...runs.map((r) => r.callMs)) },
    deliveredMs: { median: median(runs.map((r) => r.deliveredMs)), max: Math.max(...runs.map((r) => r.deliveredMs)) },
  }))
  for (const r of results) {
    log?.(
      `  broadcast to ${r.peers.toLocaleString('en-US')}, ${r.name}: event loop ${r.loopMs.median.toFixed(1)} ms (median of ${r.runs}; max ${r.loopMs.max.toFixed(1)}), of which the call ${r.callMs.median.toFixed(1)} ms; the last peer had it after ${r.deliveredMs.median.toFixed(1)} ms`,
    )
  }
  return results
}

/**
 * @param config { flood, slowConsumer, drain, broadcast, log? }: each part's settings (see config.mjs).
 */
export async function defences(config) {
  const { log } = config
  const server = await startDefenceServer()
  try {
    return {
      flood: await flood(server, config.flood, log),
      slowConsumer: await slowConsumer(server, config.slowConsumer, log),
      drain: await drain(server, config.drain, log),
      broadcast: await broadcast(server, config.broadcast, log),
      settings: {
        flood: config.flood,
        slowConsumer: config.slowConsumer,
        drain: config.drain,
        broadcast: config.broadcast,
      },
    }
  } finally {
    await server.stop()
  }
}
