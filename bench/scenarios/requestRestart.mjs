// Requests across a server restart: each client sends `rate` echo requests per second for
// `duration` ms to its own server, whose handler takes `workMs` to answer (so requests are in
// flight when it dies). `crashAt` ms in, every server is killed at once (each TCP connection cut:
// no close frame, no disconnect packet) and comes back on the same port `downtime` ms later as
// a new server (a new process would forget as much). Then each request is classified by what its
// promise did before `settleWait` ms after the last one was sent: resolved (with its own reply),
// rejected (by error code or message), or never settled. The server records every handler run,
// so requests run twice are counted. All clients run at the same time (they share the moment of
// the crash); the numbers are counts, not timings.
import { ask } from '../lib/asking.mjs'
import { now, sleep } from '../lib/clock.mjs'

async function prepare(variant, server, config) {
  const name = `restart-${variant.name}`
  const options = { workMs: config.workMs, keepDedupe: Boolean(variant.keepDedupe) }
  const { port } = await server.listenRpc(name, variant.client.server, 0, options)
  const client = variant.client.connect(`ws://127.0.0.1:${port}/`)
  const ready = await Promise.race([client.ready.then(() => true), sleep(5000).then(() => false)])
  if (!ready) throw new Error(`${variant.name}: no connection in 5 s`)
  return { variant, name, port, options, client, requests: [], downAt: 0, upAt: 0 }
}

function issue(run) {
  const n = run.requests.length
  const record = { n, issuedAt: now(), settledAt: null, outcome: null }
  run.requests.push(record)
  const settle = (outcome) => {
    record.settledAt = now()
    record.outcome = outcome
  }
  ask(run.client, n, settle)
}

function summarise(run, collected, config) {
  const { requests, downAt, upAt } = run
  const runs = new Map()
  for (const { data } of collected) runs.set(data?.n, (runs.get(data?.n) ?? 0) + 1)
  const groups = {
    before: requests.filter((r) => r.settledAt !== null && r.settledAt < downAt),
    inFlight: requests.filter((r) => r.issuedAt < downAt && (r.settledAt === null || r.settledAt >= downAt)),
    after: requests.filter((r) => r.issuedAt >= downAt),
  }
  const outcomes = (list) => {
    const counts = {}
    for (const r of list) {
      const key = r.outcome ?? 'never settled'
      counts[key] = (counts[key] ?? 0) + 1
    }
    return counts
  }
  const resolved = requests.filter((r) => r.outcome === 'resolved')
  // The backlog: requests sent before the server was back (in flight at the crash, or sent while it was down).
  const backlog = requests.filter((r) => r.issuedAt < upAt && r.settledAt !== null && r.settledAt >= downAt)
  return {
    name: run.variant.name,
    label: run.variant.label,
    note: run.variant.note,
    issued: requests.length,
    resolved: resolved.length,
    rejected: requests.filter((r) => r.outcome?.startsWith('rejected') || r.outcome?.startsWith('threw')).length,
    neverSettled: requests.filter((r) => r.outcome === null).length,
    wrongReplies: requests.filter((r) => r.outcome === 'wrong reply').length,
    outcomes: outcomes(requests),
    inFlightAtCrash: { count: groups.inFlight.length, outcomes: outcomes(groups.inFlight) },
    sentAfterCrash: { count: groups.after.length, outcomes: outcomes(groups.after) },
    settledBeforeCrash: groups.before.length,
    // Handler runs at the servers (old and new): requests run more than once, requests never run.
    ranTwice: [...runs.values()].filter((count) => count > 1).length,
    neverRan: requests.filter((r) => !runs.has(r.n)).length,
    backlogSettledAfterUpMs: backlog.length ? Math.max(...backlog.map((r) => r.settledAt)) - upAt : Number.NaN,
    downtimeMs: upAt - downAt,
    waitedMs: config.settleWait,
  }
}

/**
 * @param variants [{ name, label, note, client, keepDedupe? }], `client` from ../adapters/rpc.mjs
 * @param config { rate, duration, crashAt, downtime, workMs, settleWait }
 */
export async function requestRestart(variants, server, config) {
  const runs = []
  try {
    for (const variant of variants) runs.push(await prepare(variant, server, config))
    const total = Math.round((config.rate * config.duration) / 1000)
    const start = now()
    let crashed = false
    let restarted = null
    while (runs[0].requests.length < total) {
      const due = Math.min(total, Math.floor(((now() - start) * config.rate) / 1000))
      for (const run of runs) while (run.requests.length < due) issue(run)
      if (!crashed && now() - start >= config.crashAt) {
        crashed = true
        restarted = (async () => {
          await Promise.all(
            runs.map(async (run) => {
              run.downAt = (await server.down(run.name)).at
            }),
          )
          await sleep(config.downtime)
          await Promise.all(
            runs.map(async (run) => {
              run.upAt = (await server.listenRpc(run.name, run.variant.client.server, run.port, run.options)).at
            }),
          )
        })()
      }
      await sleep(5)
    }
    await restarted
    const deadline = now() + config.settleWait
    while (now() < deadline && runs.some((run) => run.requests.some((r) => r.outcome === null))) await sleep(50)
    const results = []
    for (const run of runs) {
      const { collected } = await server.take(run.name)
      const result = summarise(run, collected, config)
      results.push(result)
      config.log?.(
        `  ${result.name.padEnd(20)} ${result.issued} sent: ${result.resolved} resolved, ${result.rejected} rejected, ${result.neverSettled} never settled (in flight at the crash: ${result.inFlightAtCrash.count}); handler ran twice for ${result.ranTwice}, never for ${result.neverRan}`,
      )
    }
    return { ...config, log: undefined, requests: total, results }
  } finally {
    for (const run of runs) {
      run.client.close()
      await server.down(run.name)
    }
  }
}
