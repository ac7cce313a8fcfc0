// Dead link: each client talks to the echo server through its own proxy; at one moment every
// proxy black-holes its open connections. Measures when each client notices (its close event)
// and when it is connected again. Libraries without heartbeats cannot notice: they report
// "never within T s".
import { now, sleep, waitFor, withTimeout } from '../lib/clock.mjs'
import { startProxy } from '../lib/proxy.mjs'
import { summary } from '../lib/stats.mjs'

async function startClient(testCase, serverPort) {
  const proxy = await startProxy(serverPort)
  const client = testCase.lib.connect(`ws://127.0.0.1:${proxy.port}/echo`, { heartbeat: testCase.heartbeat })
  const run = { proxy, client, noticedAt: null, reopenedAt: null, since: null }
  client.onClose(() => {
    if (run.since !== null) run.noticedAt ??= now()
  })
  client.onOpen(() => {
    if (run.since !== null) run.reopenedAt ??= now()
  })
  return run
}

/** Median and range of the delays, or null when any client never got there. */
function delays(runs, field) {
  if (runs.some((run) => run[field] === null)) return null
  return summary(runs.map((run) => run[field] - run.since))
}

/**
 * @param cases [{ lib, heartbeat?, note }] — `heartbeat` is handed to Lifeline as is
 * @param config { limit, copies } — how long to wait (ms); clients per case (backoff is random)
 */
export async function deadLink(cases, server, config) {
  const { port } = await server.listen('dead-link')
  const groups = []
  for (const testCase of cases) {
    const runs = []
    for (let i = 0; i < config.copies; i++) runs.push(await startClient(testCase, port))
    groups.push({ testCase, runs })
  }
  const all = groups.flatMap((group) => group.runs)
  const opened = await withTimeout(Promise.all(all.map((run) => run.client.ready)), 5000)
  if (opened === 'timeout') throw new Error('dead link: not every client opened')
  await sleep(100)
  const start = now()
  for (const run of all) {
    run.since = start
    run.proxy.blackhole()
  }
  await waitFor(() => all.every((run) => run.reopenedAt !== null), config.limit, 20)
  const results = groups.map(({ testCase, runs }) => ({
    name: testCase.lib.name,
    label: testCase.lib.label,
    heartbeat: testCase.note,
    clients: runs.length,
    noticedMs: delays(runs, 'noticedAt'),
    reconnectedMs: delays(runs, 'reopenedAt'),
  }))
  for (const run of all) {
    run.client.close()
    await run.proxy.close()
  }
  await server.down('dead-link')
  const show = (ms) => (ms === null ? `never within ${config.limit / 1000} s` : `${Math.round(ms.median)} ms`)
  for (const r of results) {
    config.log?.(
      `  ${r.name.padEnd(24)} ${r.heartbeat.padEnd(30)} noticed ${show(r.noticedMs)}, reconnected ${show(r.reconnectedMs)}`,
    )
  }
  return { limitMs: config.limit, copies: config.copies, results }
}
