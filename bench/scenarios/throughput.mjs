// Throughput: echoes of a 64-byte message with a bounded number in flight. Reports msgs/s
// (wall clock) and the client's CPU time per message (the server runs in another process).
//
// Every library has its own connection, open for the whole run. A run sends `messages` echoes
// per library in `chunks` slices, taking the libraries in turn slice by slice (reversing the
// order every slice), so a busy moment on a shared machine falls on all of them alike rather
// than on whichever library happened to be measured then.
import { now, withTimeout } from '../lib/clock.mjs'
import { median, summary } from '../lib/stats.mjs'

const PAYLOAD = 'x'.repeat(64)

/** Sends `total` messages keeping `window` in flight; resolves with whether all came back in time. */
function pump(client, total, window, timeout) {
  return new Promise((resolve) => {
    let sent = 0
    let received = 0
    const timer = setTimeout(() => resolve(false), timeout)
    client.handle = () => {
      received++
      if (sent < total) {
        sent++
        client.send(PAYLOAD)
      } else if (received === total) {
        clearTimeout(timer)
        resolve(true)
      }
    }
    while (sent < Math.min(window, total)) {
      sent++
      client.send(PAYLOAD)
    }
  })
}

async function open(lib, url, config) {
  const client = lib.connect(url)
  client.handle = null
  client.first = null
  client.onMessage((data) => {
    client.first ??= data
    client.handle()
  })
  if ((await withTimeout(client.ready, 5000)) === 'timeout') throw new Error(`${lib.name}: no open within 5 s`)
  if (!(await pump(client, config.warmup, config.window, config.timeout))) {
    throw new Error(`${lib.name}: warm-up echoes did not all come back`)
  }
  if (client.first !== PAYLOAD) throw new Error(`${lib.name}: echo mismatch (${String(client.first).slice(0, 40)})`)
  return client
}

/** One run: every library sends `messages` echoes, slice by slice in turn. */
async function runOnce(libs, url, config, reversed) {
  const clients = new Map()
  for (const lib of libs) clients.set(lib, await open(lib, url, config))
  const totals = new Map(libs.map((lib) => [lib, { ms: 0, cpuUs: 0, slices: [] }]))
  const slice = Math.ceil(config.messages / config.chunks)
  // Collect once per run, not per slice: each library pays for its own garbage as it goes.
  globalThis.gc?.()
  try {
    for (let chunk = 0; chunk < config.chunks; chunk++) {
      const order = (chunk % 2 === 0) !== reversed ? libs : [...libs].reverse()
      for (const lib of order) {
        const cpuBefore = process.cpuUsage()
        const start = now()
        const complete = await pump(clients.get(lib), slice, config.window, config.timeout)
        const cpu = process.cpuUsage(cpuBefore)
        if (!complete) throw new Error(`${lib.name}: ${slice} echoes not done within ${config.timeout} ms`)
        const total = totals.get(lib)
        const ms = now() - start
        total.ms += ms
        total.cpuUs += cpu.user + cpu.system
        total.slices.push(Math.round(slice / (ms / 1000)))
      }
    }
  } finally {
    for (const client of clients.values()) client.close()
  }
  const sent = slice * config.chunks
  return new Map(
    libs.map((lib) => {
      const { ms, cpuUs, slices } = totals.get(lib)
      // `slices`: msgs/s of each slice, in the same order for every library (pairs line up).
      return [lib, { msgsPerSec: sent / (ms / 1000), cpuUsPerMsg: cpuUs / sent, slices }]
    }),
  )
}

/**
 * msgs/s of library `name` over library `baseline`, slice by slice: within a run the two sent
 * each slice one shortly after the other, so both saw the machine equally busy.
 */
export function sliceRatios(throughput, name, baseline) {
  const of = (n) => throughput.results.find((r) => r.name === n).samples
  const theirs = of(baseline)
  return of(name).flatMap((run, i) => run.slices.map((rate, k) => rate / theirs[i].slices[k]))
}

/** The median of {@link sliceRatios}: how `name` compares with `baseline` in msgs/s. */
export const msgsRatio = (throughput, name, baseline) => median(sliceRatios(throughput, name, baseline))

/**
 * @param libs adapters to compare
 * @param server from startServer()
 * @param config { runs, messages, chunks, warmup, window, timeout }
 */
export async function throughput(libs, server, config) {
  const { port } = await server.listen('throughput')
  const url = `ws://127.0.0.1:${port}/echo`
  const runs = new Map(libs.map((lib) => [lib, []]))
  for (let run = 0; run < config.runs; run++) {
    const results = await runOnce(libs, url, config, run % 2 === 1)
    const line = []
    for (const lib of libs) {
      const result = results.get(lib)
      runs.get(lib).push(result)
      line.push(`${lib.name} ${Math.round(result.msgsPerSec / 1000)}k/s ${result.cpuUsPerMsg.toFixed(1)} µs`)
    }
    config.log?.(`  run ${run + 1}/${config.runs}: ${line.join(', ')}`)
  }
  await server.down('throughput')
  return {
    messages: config.messages,
    chunks: config.chunks,
    warmup: config.warmup,
    window: config.window,
    payloadBytes: PAYLOAD.length,
    runs: config.runs,
    results: libs.map((lib) => ({
      name: lib.name,
      label: lib.label,
      msgsPerSec: summary(runs.get(lib).map((r) => r.msgsPerSec)),
      cpuUsPerMsg: summary(runs.get(lib).map((r) => r.cpuUsPerMsg)),
      samples: runs.get(lib),
    })),
  }
}
