// Ordinary outages: for each outage length, `clients` Lifeline clients and as many socket.io
// clients, each library on its own server (its own port). Every server is killed at the same
// moment (each TCP connection cut, no close frame, no disconnect packet, the port closed) and
// listens again on the same port after its outage length. A client's time back runs from its
// server's return to its next open (Lifeline's `open`, socket.io's `connect`). Both libraries
// keep their defaults; socket.io runs over its WebSocket transport only, on client and server.
// The servers and outages share one run, so the libraries meet the same load at the same moments.
import { connect } from '@lifeline/core'
import { io } from 'socket.io-client'
import WebSocket from 'ws'
import { now, sleep, waitFor } from '../lib/clock.mjs'
import { percentile } from '../lib/stats.mjs'

/** Each library: `connect(url, { opened, attempted }) -> close`, with its defaults. */
export const outageClients = [
  {
    name: 'lifeline',
    label: 'Lifeline',
    server: 'lifeline',
    connect(url, { opened, attempted }) {
      const socket = connect(url, { WebSocket })
      socket.on('error', () => {})
      socket.on('open', opened)
      socket.on('reconnecting', attempted)
      return () => socket.dispose()
    },
  },
  {
    name: 'socket.io',
    label: 'socket.io',
    server: 'socket.io',
    connect(url, { opened, attempted }) {
      const socket = io(url.replace(/^ws/, 'http'), { transports: ['websocket'], forceNew: true })
      socket.on('connect', opened)
      socket.io.on('reconnect_attempt', attempted)
      return () => socket.close()
    },
  },
]

async function prepare(lib, outageMs, server, config) {
  const name = `outage-${lib.name}-${outageMs}`
  const { port } = await server.listenRpc(name, lib.server)
  const url = `ws://127.0.0.1:${port}/`
  const records = []
  for (let i = 0; i < config.clients; i++) {
    const record = { opens: [], attempts: 0, close: null }
    record.close = lib.connect(url, {
      opened: () => record.opens.push(now()),
      attempted: () => record.attempts++,
    })
    records.push(record)
  }
  return { lib, outageMs, name, port, records, downAt: 0, upAt: 0 }
}

function summarise(run) {
  const { records, downAt, upAt } = run
  const back = records.map((r) => r.opens.find((at) => at >= upAt)).filter((at) => at !== undefined)
  const times = back.map((at) => at - upAt)
  const attemptsWhileDown = records.map((r) => r.attempts)
  return {
    name: run.lib.name,
    label: run.lib.label,
    outageMs: run.outageMs,
    measuredOutageMs: upAt - downAt,
    clients: records.length,
    back: back.length,
    p50Ms: percentile(times, 50),
    p90Ms: percentile(times, 90),
    maxMs: times.length ? Math.max(...times) : Number.NaN,
    // Attempts made from the drop until the client was back (the last one is the one that opened).
    attemptsP50: percentile(attemptsWhileDown, 50),
    times: times.map(Math.round),
  }
}

/**
 * @param server the server child (../lib/serverControl.mjs)
 * @param config { clients, outages: ms[], connectTimeout, backWithin, log }
 */
export async function outage(server, config) {
  const runs = []
  for (const outageMs of config.outages)
    for (const lib of outageClients) runs.push(await prepare(lib, outageMs, server, config))
  const connected = await waitFor(
    () => runs.every((run) => run.records.every((r) => r.opens.length > 0)),
    config.connectTimeout,
    20,
  )
  if (!connected) throw new Error(`outage: ${runs.length * config.clients} clients did not all open`)
  await sleep(200)
  for (const run of runs) for (const r of run.records) r.attempts = 0
  // Every server is killed at once; each comes back after its own outage.
  await Promise.all(
    runs.map(async (run) => {
      run.downAt = (await server.down(run.name)).at
    }),
  )
  await Promise.all(
    runs.map(async (run) => {
      await sleep(Math.max(0, run.downAt + run.outageMs - now()))
      run.upAt = (await server.listenRpc(run.name, run.lib.server, run.port)).at
      const done = () => run.records.every((r) => r.opens.some((at) => at >= run.upAt))
      await waitFor(done, config.backWithin, 20)
    }),
  )
  const results = runs.map(summarise)
  for (const run of runs) {
    for (const r of run.records) r.close()
    await server.down(run.name)
  }
  for (const r of results)
    config.log?.(
      `  ${r.label.padEnd(10)} ${String(r.outageMs / 1000).padStart(3)} s down: back ${r.back}/${r.clients}, p50 ${Math.round(r.p50Ms)} ms, p90 ${Math.round(r.p90Ms)} ms, max ${Math.round(r.maxMs)} ms, ${r.attemptsP50} attempts (p50)`,
    )
  return { clients: config.clients, outages: config.outages, backWithinMs: config.backWithin, results }
}
