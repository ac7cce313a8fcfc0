// Requests: request/reply round trips against a server in the server child process (see
// ../lib/rpcServers.mjs), for Lifeline's `socket.request` against `@lifeline/server`, socket.io's
// `emitWithAck` against a socket.io Server, and bare ws speaking the same JSON by hand.
//
// Sequential: one request at a time, each round trip timed (latency p50/p99). Pipelined: `total`
// requests with `window` in flight (requests/s, CPU per request of the client process and of the
// server process, user and kernel apart). As in the throughput scenario every client keeps one
// connection for a run and the libraries take turns slice by slice, in an order that reverses
// every slice, so a busy moment falls on all of them alike. With `pin`, the client process and
// the server child are pinned to a core each (../lib/affinity.mjs) while this runs.
import { PerformanceObserver, performance } from 'node:perf_hooks'
import { pinApart } from '../lib/affinity.mjs'
import { TEXT } from '../lib/asking.mjs'
import { now, withTimeout } from '../lib/clock.mjs'
import { median, percentile, summary } from '../lib/stats.mjs'

async function sequential(client, count, latencies) {
  for (let n = 0; n < count; n++) {
    const start = now()
    const reply = await client.request({ n, text: TEXT })
    latencies?.push(now() - start)
    if (reply?.n !== n) throw new Error(`wrong reply: ${JSON.stringify(reply).slice(0, 60)}`)
  }
}

/** `total` requests, `window` in flight; rejects on a wrong reply or after `timeout` ms. */
function pipelined(client, total, window, timeout) {
  return new Promise((resolve, reject) => {
    let sent = 0
    let done = 0
    const timer = setTimeout(() => reject(new Error(`${done}/${total} replies within ${timeout} ms`)), timeout)
    const next = () => {
      const n = sent++
      client.request({ n, text: TEXT }).then((reply) => {
        if (reply?.n !== n) {
          clearTimeout(timer)
          reject(new Error(`wrong reply: ${JSON.stringify(reply).slice(0, 60)}`))
          return
        }
        done++
        if (sent < total) next()
        else if (done === total) {
          clearTimeout(timer)
          resolve()
        }
      }, reject)
    }
    while (sent < Math.min(window, total)) next()
  })
}

/** CPU µs spent between two `process.cpuUsage()` readings, user and kernel. */
const spent = (before, after) => ({ user: after.user - before.user, system: after.system - before.system })

/**
 * The client process's garbage-collection pauses, `{ start, duration }` in performance.now() ms, so
 * each slice can be charged the collections that ran during it (entries arrive a little later).
 */
function watchGc() {
  const pauses = []
  const observer = new PerformanceObserver((list) => {
    for (const { startTime, duration } of list.getEntries()) pauses.push({ start: startTime, duration })
  })
  observer.observe({ entryTypes: ['gc'] })
  return {
    /** GC ms that began in [from, to). */
    within: (from, to) => pauses.reduce((sum, p) => (p.start >= from && p.start < to ? sum + p.duration : sum), 0),
    stop: () => observer.disconnect(),
  }
}

async function runOnce(libs, urls, server, config, reversed) {
  const clients = new Map()
  try {
    for (const lib of libs) {
      const client = lib.connect(urls.get(lib))
      clients.set(lib, client)
      if ((await withTimeout(client.ready, 5000)) === 'timeout') throw new Error(`${lib.name}: no connection in 5 s`)
      await pipelined(client, config.warmup, config.window, config.timeout)
      await sequential(client, config.sequential)
    }
    const totals = new Map(
      libs.map((lib) => [lib, { ms: 0, slices: [], latencies: [], client: [], server: [], windows: [] }]),
    )
    const gc = watchGc()
    globalThis.gc?.()
    for (let chunk = 0; chunk < config.chunks; chunk++) {
      const order = (chunk % 2 === 0) !== reversed ? libs : [...libs].reverse()
      for (const lib of order) {
        const client = clients.get(lib)
        const total = totals.get(lib)
        await sequential(client, config.sequential, total.latencies)
        const serverBefore = await server.cpu()
        const cpuBefore = process.cpuUsage()
        const start = now()
        const from = performance.now()
        await pipelined(client, config.pipelined, config.window, config.timeout)
        total.windows.push([from, performance.now()])
        const ms = now() - start
        const cpuAfter = process.cpuUsage()
        const serverAfter = await server.cpu()
        total.ms += ms
        total.client.push(spent(cpuBefore, cpuAfter))
        total.server.push(spent(serverBefore, serverAfter))
        total.slices.push(Math.round(config.pipelined / (ms / 1000)))
      }
    }
    // The last pauses' entries are delivered on a later turn.
    await new Promise((resolve) => setTimeout(resolve, 50))
    gc.stop()
    const sent = config.pipelined * config.chunks
    const perRequest = (list, key) =>
      list.reduce((sum, cpu) => sum + (key ? cpu[key] : cpu.user + cpu.system), 0) / sent
    return new Map(
      libs.map((lib) => {
        const { ms, slices, latencies, client, server: serverCpu, windows } = totals.get(lib)
        return [
          lib,
          {
            requestsPerSec: sent / (ms / 1000),
            cpuUsPerRequest: perRequest(client),
            clientUserUs: perRequest(client, 'user'),
            clientSystemUs: perRequest(client, 'system'),
            serverUserUs: perRequest(serverCpu, 'user'),
            serverSystemUs: perRequest(serverCpu, 'system'),
            clientGcUs: (windows.reduce((sum, [from, to]) => sum + gc.within(from, to), 0) * 1000) / sent,
            slices,
            latencies,
          },
        ]
      }),
    )
  } finally {
    for (const client of clients.values()) client.close()
  }
}

/** Requests/s of `name` over `baseline`, slice by slice (the two ran moments apart). */
export function requestSliceRatios(requests, name, baseline) {
  const of = (n) => requests.results.find((r) => r.name === n).samples
  const theirs = of(baseline)
  return of(name).flatMap((run, i) => run.slices.map((rate, k) => rate / theirs[i].slices[k]))
}

export const requestRatio = (requests, name, baseline) => median(requestSliceRatios(requests, name, baseline))

/**
 * @param libs request clients (../adapters/rpc.mjs)
 * @param config { runs, chunks, sequential, pipelined, window, warmup, timeout, pin }
 */
export async function requests(libs, server, config) {
  const urls = new Map()
  for (const lib of libs) {
    const { port } = await server.listenRpc(`requests-${lib.name}`, lib.server)
    urls.set(lib, `ws://127.0.0.1:${port}/`)
  }
  const runs = new Map(libs.map((lib) => [lib, []]))
  const affinity = config.pin
    ? pinApart(process.pid, server.pid)
    : { pinned: false, layout: 'not pinned (wherever the scheduler puts them)', restore() {} }
  config.log?.(`  ${affinity.layout}`)
  try {
    for (let run = 0; run < config.runs; run++) {
      const results = await runOnce(libs, urls, server, config, run % 2 === 1)
      const line = []
      for (const lib of libs) {
        const r = results.get(lib)
        runs.get(lib).push(r)
        line.push(
          `${lib.name} p50 ${percentile(r.latencies, 50).toFixed(2)} ms, ${Math.round(r.requestsPerSec / 1000)}k req/s, client ${r.clientUserUs.toFixed(1)} + ${r.clientSystemUs.toFixed(1)} µs (GC ${r.clientGcUs.toFixed(1)}), server ${r.serverUserUs.toFixed(1)} + ${r.serverSystemUs.toFixed(1)} µs`,
        )
      }
      config.log?.(`  run ${run + 1}/${config.runs}: ${line.join('; ')}`)
    }
  } finally {
    affinity.restore()
    for (const lib of libs) await server.down(`requests-${lib.name}`)
  }
  const cpuSummary = (samples, key) => summary(samples.map((s) => s[key]))
  return {
    runs: config.runs,
    chunks: config.chunks,
    sequential: config.sequential,
    pipelined: config.pipelined,
    window: config.window,
    warmup: config.warmup,
    layout: affinity.layout,
    pinned: affinity.pinned,
    payload: `{ n, text } with a ${TEXT.length}-character text, ${JSON.stringify({ n: 0, text: TEXT }).length}–${JSON.stringify({ n: config.pipelined, text: TEXT }).length} bytes as JSON`,
    results: libs.map((lib) => {
      const samples = runs.get(lib)
      const latencies = samples.flatMap((s) => s.latencies)
      return {
        name: lib.name,
        label: lib.label,
        note: lib.note,
        latencyMs: {
          samples: latencies.length,
          p50: percentile(latencies, 50),
          p90: percentile(latencies, 90),
          p99: percentile(latencies, 99),
          max: Math.max(...latencies),
        },
        requestsPerSec: summary(samples.map((s) => s.requestsPerSec)),
        cpuUsPerRequest: cpuSummary(samples, 'cpuUsPerRequest'),
        clientUserUs: cpuSummary(samples, 'clientUserUs'),
        clientSystemUs: cpuSummary(samples, 'clientSystemUs'),
        serverUserUs: cpuSummary(samples, 'serverUserUs'),
        serverSystemUs: cpuSummary(samples, 'serverSystemUs'),
        clientGcUs: cpuSummary(samples, 'clientGcUs'),
        // Without the per-request latencies: the summary above is what the report needs.
        samples: samples.map(({ latencies: _, ...sample }) => sample),
      }
    }),
  }
}
