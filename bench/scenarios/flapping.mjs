// Flapping: `requests` echo requests through a server that cuts every connection every `flapMs`
// ms (each TCP connection destroyed, no close frame, as in ../lib/rpcServers.mjs) and keeps
// listening, so the client reconnects again and again while its requests are in flight. Lifeline
// with `@lifeline/server`, the request options left at their defaults (timeout 10 s, resend on);
// the client reconnects after `reconnect` (the defaults would wait up to 1.8 s, growing, for a
// link that lives 200 ms).
//
// Two ways of making the requests: `window` in flight as fast as replies come back (the requests
// scenario's pipelining), and `paced`, at an even rate over `paceMs` whatever is pending (so some
// are made while the link is down and wait in the queue). Each run gets a fresh server, so its
// dedupe window and counts are its own. A request settles at most once (a promise), so "exactly
// once" is checked where it can fail: every request resolved with its own reply, and the server's
// handler ran once per request (its count equals `requests`, no id twice). Copies resent after a
// drop that reached the server were answered from its dedupe window (`duplicates`).
import { ask } from '../lib/asking.mjs'
import { now, sleep } from '../lib/clock.mjs'

/** Issues the requests of one run; resolves with each request's outcome once all settled or `limit` passed. */
function issueAll(client, mode, config) {
  const outcomes = new Array(config.requests).fill(null)
  let made = 0
  let settled = 0
  let lastAt = 0
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(limit)
      clearInterval(pacer)
      resolve({ outcomes, made, lastAt })
    }
    const limit = setTimeout(finish, config.limit)
    let pacer
    const issue = () => {
      const n = made++
      const done = (outcome) => {
        outcomes[n] = outcome
        lastAt = now()
        settled++
        if (settled === config.requests) finish()
        else if (mode === 'window' && made < config.requests) issue()
      }
      ask(client, n, done)
    }
    if (mode === 'window') {
      while (made < Math.min(config.window, config.requests)) issue()
      return
    }
    const start = now()
    const step = () => {
      const due = Math.min(config.requests, Math.ceil(((now() - start) / config.paceMs) * config.requests))
      while (made < due) issue()
      if (made === config.requests) clearInterval(pacer)
    }
    pacer = setInterval(step, 1)
    step()
  })
}

async function runOnce(lib, server, mode, run, config) {
  const name = `flapping-${mode}-${run}`
  const { port } = await server.listenRpc(name, lib.server, 0, { flapMs: config.flapMs })
  const client = lib.connect(`ws://127.0.0.1:${port}/`, { reconnect: config.reconnect })
  let opens = 0
  client.socket.on('open', () => opens++)
  try {
    const ready = await Promise.race([client.ready.then(() => true), sleep(5000).then(() => false)])
    if (!ready) throw new Error(`flapping: ${lib.name} not connected in 5 s`)
    // The cuts start over with the run: the first `firstCutMs` after it begins, then every
    // `flapMs`. Left to the server's own rhythm, a run that lasts about one interval could fall
    // between two cuts and prove nothing.
    await server.reflap(name, config.firstCutMs)
    const { cuts: cutsBefore } = (await server.take(name)).stats
    const opensBefore = opens
    const start = now()
    const { outcomes, made, lastAt } = await issueAll(client, mode, config)
    const timeMs = (lastAt || now()) - start
    const { collected, stats } = await server.take(name)
    const runs = new Map()
    for (const { data } of collected) runs.set(data?.n, (runs.get(data?.n) ?? 0) + 1)
    const counts = {}
    for (const outcome of outcomes) {
      const key = outcome ?? 'never settled'
      counts[key] = (counts[key] ?? 0) + 1
    }
    const resolved = counts.resolved ?? 0
    const neverSettled = counts['never settled'] ?? 0
    return {
      mode,
      run,
      requests: config.requests,
      made,
      timeMs,
      requestsPerSec: resolved / (timeMs / 1000),
      resolved,
      rejected: config.requests - resolved - neverSettled - (counts['wrong reply'] ?? 0),
      wrongReplies: counts['wrong reply'] ?? 0,
      neverSettled,
      outcomes: counts,
      handlerRuns: collected.length,
      idsRunTwice: [...runs.values()].filter((count) => count > 1).length,
      neverRan: outcomes.filter((_, n) => !runs.has(n)).length,
      duplicates: stats.hub?.duplicates ?? 0,
      // Connections cut while the requests ran, and the reconnects that followed.
      drops: stats.cuts - cutsBefore,
      reconnects: opens - opensBefore,
    }
  } finally {
    client.close()
    await server.down(name)
  }
}

/** Whether a run held the guarantee: every request resolved with its reply, its handler run exactly once. */
export const heldOnce = (r) =>
  r.resolved === r.requests && r.handlerRuns === r.requests && r.idsRunTwice === 0 && r.neverRan === 0

/**
 * @param lib the Lifeline request client (../adapters/rpc.mjs)
 * @param config { requests, window, paceMs, flapMs, firstCutMs, reconnect, runs, limit }
 */
export async function flapping(lib, server, config) {
  const results = []
  for (const mode of ['window', 'paced']) {
    for (let run = 1; run <= config.runs; run++) {
      const r = await runOnce(lib, server, mode, run, config)
      results.push(r)
      config.log?.(
        `  ${mode} run ${run}: ${r.resolved}/${r.requests} resolved in ${Math.round(r.timeMs)} ms across ${r.drops} drops (${r.reconnects} reconnects); handler ran ${r.handlerRuns} times, ${r.idsRunTwice} ids twice; ${r.duplicates} resent copies answered from the dedupe window; ${r.rejected} rejected, ${r.neverSettled} never settled`,
      )
    }
  }
  const { log, ...settings } = config
  return { ...settings, client: { name: lib.name, label: lib.label, note: lib.note }, results }
}
