// `npm run bench`: Lifeline side by side with raw ws and peer libraries.
// Runs every scenario, writes bench/results/*.json and (full mode) docs/benchmarks.md with its
// chart, prints the budgets, and exits non-zero when one is missed. ONLY=throughput,size runs
// a subset (and leaves the docs alone).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { adapter, adapters } from './adapters/index.mjs'
import { rpcClients } from './adapters/rpc.mjs'
import { config, QUICK } from './config.mjs'
import { checkBudgets } from './lib/budgets.mjs'
import { lifelineChannel, socketIoRoom } from './lib/channelClients.mjs'
import { now } from './lib/clock.mjs'
import { startServer } from './lib/serverControl.mjs'
import { charts } from './report/charts.mjs'
import { markdown } from './report/markdown.mjs'
import { channelsChaos } from './scenarios/channelsChaos.mjs'
import { channelsFanout } from './scenarios/channelsFanout.mjs'
import { channelsRecovery } from './scenarios/channelsRecovery.mjs'
import { deadLink } from './scenarios/deadLink.mjs'
import { defences } from './scenarios/defences.mjs'
import { fallback } from './scenarios/fallback.mjs'
import { flapping } from './scenarios/flapping.mjs'
import { herd } from './scenarios/herd.mjs'
import { leaks } from './scenarios/leaks.mjs'
import { longOutage } from './scenarios/longOutage.mjs'
import { offlineFlush } from './scenarios/offlineFlush.mjs'
import { outage } from './scenarios/outage.mjs'
import { overhead } from './scenarios/overhead.mjs'
import { presence } from './scenarios/presence.mjs'
import { requestRestart } from './scenarios/requestRestart.mjs'
import { requests } from './scenarios/requests.mjs'
import { resume } from './scenarios/resume.mjs'
import { size } from './scenarios/size.mjs'
import { tabs } from './scenarios/tabs.mjs'
import { throughput } from './scenarios/throughput.mjs'

const path = (relative) => fileURLToPath(new URL(relative, import.meta.url))
const only = process.env.ONLY ? new Set(process.env.ONLY.split(',')) : null
/** MERGE=1 with ONLY (full mode): the scenarios run replace theirs in results/latest.json, and the page is written again. */
const MERGE = Boolean(only && !QUICK && process.env.MERGE === '1')
const log = (line) => console.log(line)

function version(name) {
  for (const dir of ['node_modules', '../node_modules']) {
    const file = path(`${dir}/${name}/package.json`)
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version
  }
  return 'unknown'
}

const LIFELINE_DIST = path('../packages/core/dist/index.js')
if (!existsSync(LIFELINE_DIST)) {
  console.error('Lifeline is not built: run `npm run build` at the repository root first (npm run bench does).')
  process.exit(1)
}
if (typeof globalThis.gc !== 'function') console.warn('warning: run with --expose-gc, or heap numbers mean little')

// Every wait below is bounded; this is the last resort if something still hangs.
setTimeout(() => {
  console.error(`the bench exceeded ${config.hardLimitMs / 1000} s and was stopped`)
  process.exit(2)
}, config.hardLimitMs).unref()

// Pairs that are compared sit side by side, so forward and reverse runs measure them back to back.
const throughputOrder = ['ws', 'lifeline-raw', 'ws-json', 'lifeline-json', 'reconnecting-websocket', 'partysocket'].map(
  adapter,
)
const reconnecting = adapters.filter((a) => a.reconnects && a.name !== 'lifeline-json') // the codec does not change reconnects
const withoutJsonBaseline = adapters.filter((a) => a.name !== 'ws-json')
// Quick runs check Lifeline's leak budget against raw ws only; the full run adds the peers.
const leakLibs = QUICK ? ['ws', 'lifeline-raw', 'lifeline-json'].map(adapter) : withoutJsonBaseline
const { fastHeartbeat } = config.deadLink
const heartbeatNote = `interval ${fastHeartbeat.interval / 1000} s, timeout ${fastHeartbeat.timeout / 1000} s`
const deadLinkCases = [
  { lib: adapter('ws'), note: 'none' },
  { lib: adapter('reconnecting-websocket'), note: 'none' },
  { lib: adapter('partysocket'), note: 'none' },
  { lib: adapter('lifeline-raw'), note: 'off (the default)' },
  { lib: adapter('lifeline-raw'), heartbeat: fastHeartbeat, note: heartbeatNote },
  { lib: adapter('lifeline-json'), heartbeat: fastHeartbeat, note: heartbeatNote },
  ...(config.deadLink.defaultHeartbeat
    ? [{ lib: adapter('lifeline-raw'), heartbeat: true, note: '`true` (interval 25 s, timeout 10 s)' }]
    : []),
]

const requestClients = [rpcClients.ws, rpcClients.lifeline, rpcClients.socketIo]
const restartVariants = [
  { ...rpcClients.ws, client: rpcClients.ws },
  { ...rpcClients.lifeline, client: rpcClients.lifeline },
  {
    ...rpcClients.lifeline,
    name: 'lifeline-shared-dedupe',
    label: 'Lifeline, dedupe kept',
    note: 'as Lifeline, the dedupe window outliving the restart (a shared adapter, as Redis would be)',
    client: rpcClients.lifeline,
    keepDedupe: true,
  },
  { ...rpcClients.lifelineNoResend, client: rpcClients.lifelineNoResend },
  { ...rpcClients.socketIo, client: rpcClients.socketIo },
  { ...rpcClients.socketIoTimeout, client: rpcClients.socketIoTimeout },
  { ...rpcClients.socketIoCallback, client: rpcClients.socketIoCallback },
]

const channelClients = [lifelineChannel, socketIoRoom]
const fanoutEntries = [
  {
    name: 'lifeline',
    label: 'Lifeline',
    note: '`hub.publish(name, data)`; every client `channel(socket, name)`',
    lib: lifelineChannel,
    options: { history: { size: config.channelsFanout.historySize } },
  },
  {
    name: 'socket.io',
    label: 'socket.io',
    note: "`io.to(room).emit('pub', data)`; every client joined to the room; the server's defaults",
    lib: socketIoRoom,
    options: {},
  },
]

const scenarios = [
  ['throughput', (server) => throughput(throughputOrder, server, { ...config.throughput, log })],
  ['overhead', () => overhead({ ...config.overhead, log })],
  [
    'herd',
    async (server) => ({
      ...(await herd(reconnecting, server, { ...config.herd, log })),
      longOutage: longOutage({ ...config.longOutage, log }),
    }),
  ],
  ['outage', (server) => outage(server, { ...config.outage, log })],
  ['deadLink', (server) => deadLink(deadLinkCases, server, { ...config.deadLink, log })],
  ['offlineFlush', (server) => offlineFlush(withoutJsonBaseline, server, { ...config.offlineFlush, log })],
  ['leaks', (server) => leaks(leakLibs, server, { ...config.leaks, log })],
  ['requests', (server) => requests(requestClients, server, { ...config.requests, log })],
  ['flapping', (server) => flapping(rpcClients.lifeline, server, { ...config.flapping, log })],
  ['restart', (server) => requestRestart(restartVariants, server, { ...config.restart, log })],
  ['size', () => size({ ...config.size, log })],
  ['tabs', (server) => tabs(server, { ...config.tabs, log })],
  ['channelsChaos', () => channelsChaos(channelClients, { ...config.channelsChaos, log })],
  ['channelsFanout', () => channelsFanout(fanoutEntries, { ...config.channelsFanout, log })],
  ['channelsRecovery', () => channelsRecovery(channelClients, { ...config.channelsRecovery, log })],
  ['presence', () => presence({ ...config.presence, log })],
  ['defences', () => defences({ ...config.defences, log })],
  ['resume', () => resume({ ...config.resume, log })],
  ['fallback', () => fallback({ ...config.fallback, log })],
]

const started = now()
const loadAtStart = os.loadavg()
const scenarioLog = []
const results = {}
const server = await startServer()
try {
  for (const [name, run] of scenarios) {
    if (only && !only.has(name)) continue
    const t = now()
    const loadBefore = os.loadavg()[0]
    log(`\n${name}`)
    results[name] = await run(server)
    // Other work on the machine skews wall-clock numbers: record how busy it was.
    results[name].loadAverage = { before: loadBefore, after: os.loadavg()[0] }
    scenarioLog.push({ name, durationMs: now() - t, load: results[name].loadAverage })
    log(
      `  (${((now() - t) / 1000).toFixed(1)} s, load average ${loadBefore.toFixed(1)} → ${os.loadavg()[0].toFixed(1)})`,
    )
  }
} finally {
  await server.stop()
}

const resultsFile = QUICK ? 'quick.json' : only ? 'partial.json' : 'latest.json'
results.meta = {
  date: `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  mode: config.mode,
  resultsFile,
  node: process.version,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  durationMs: now() - started,
  loadAverage: { start: loadAtStart, end: os.loadavg() },
  scenarios: scenarioLog,
  versions: Object.fromEntries(
    [
      '@lifeline/core',
      '@lifeline/server',
      'ws',
      'reconnecting-websocket',
      'partysocket',
      'socket.io',
      'socket.io-client',
      'centrifuge',
      'esbuild',
      'playwright-core',
      'puppeteer-core',
    ].map((name) => [name, version(name)]),
  ),
}
results.config = config
results.budgets = checkBudgets(results)

mkdirSync(path('results'), { recursive: true })
writeFileSync(path(`results/${resultsFile}`), `${JSON.stringify(results, null, 2)}\n`)
// The page and its charts: docs/ for a full run, bench/results/ (quick-*.svg) otherwise.
const [pageFile, chartDir, chartPrefix] =
  QUICK || only ? ['results/quick.md', 'results/', 'quick-'] : ['../docs/benchmarks.md', '../docs/', 'benchmarks-']
writeFileSync(path(pageFile), markdown(results, chartPrefix))
for (const [name, svg] of Object.entries(charts(results)))
  writeFileSync(path(`${chartDir}${chartPrefix}${name}.svg`), svg)
if (MERGE) mergeIntoLatest(results)

log('\nBudgets')
for (const b of results.budgets)
  log(`  ${b.pass ? 'PASS' : 'FAIL'}  ${b.title}: required ${b.required}, measured ${b.measured}`)
const missed = results.budgets.filter((b) => !b.pass)
log(
  `\n${missed.length ? `${missed.length} budget(s) missed: exit code 1` : 'All budgets met.'} (${Math.round(results.meta.durationMs / 1000)} s, results in bench/results/${resultsFile})`,
)
process.exitCode = missed.length ? 1 : 0

/**
 * Puts a partial run's scenarios into results/latest.json in place of the full run's, records which
 * scenarios were run again and when, checks the budgets over the whole, and writes the page again.
 */
function mergeIntoLatest(partial) {
  const latest = JSON.parse(readFileSync(path('results/latest.json'), 'utf8'))
  const names = scenarioLog.map((s) => s.name)
  for (const name of names) latest[name] = partial[name]
  latest.meta.scenarios = [...latest.meta.scenarios.filter((s) => !names.includes(s.name)), ...partial.meta.scenarios]
  const rerun = {
    date: partial.meta.date,
    scenarios: names,
    node: partial.meta.node,
    durationMs: partial.meta.durationMs,
  }
  const earlier = (latest.meta.reruns ?? []).map((r) => ({
    ...r,
    scenarios: r.scenarios.filter((n) => !names.includes(n)),
  }))
  latest.meta.reruns = [...earlier.filter((r) => r.scenarios.length > 0), rerun]
  latest.meta.versions = partial.meta.versions
  latest.config = partial.config
  latest.budgets = checkBudgets(latest)
  writeFileSync(path('results/latest.json'), `${JSON.stringify(latest, null, 2)}\n`)
  writeFileSync(path('../docs/benchmarks.md'), markdown(latest, 'benchmarks-'))
  for (const [name, svg] of Object.entries(charts(latest))) writeFileSync(path(`../docs/benchmarks-${name}.svg`), svg)
  log(`\nMerged ${names.join(', ')} into bench/results/latest.json; docs/benchmarks.md written again`)
}
