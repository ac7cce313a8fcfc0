// Runs the tests on every runtime Lifeline supports, one after another, and fails if any run fails:
//   node    the machine's Node (20+): every vitest project, the client WebSocket is `ws`
//   node22  Node 22 (node_modules/node): the integration project on its built-in WebSocket
//   node24  Node 24 (node_modules/node24): the same
//   bun     Bun (node_modules/bun): the same, vitest itself running on Bun
//   deno    Deno (node_modules/deno): the same, vitest itself running on Deno
// The runtimes are devDependencies; `npm install` puts them in place. Servers and the fault proxy
// stay `ws` and `node:net` on every runtime: only the client under test changes.
//
//   node scripts/test-runtimes.mjs                  all five
//   node scripts/test-runtimes.mjs bun deno         some of them
//   node scripts/test-runtimes.mjs deno -- -t cut   extra arguments for vitest after `--`
//
// A runtime that is not installed fails the run under CI=true; elsewhere it is reported loudly
// and the others still run. Run from anywhere; it works in the repository root.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const vitest = join(root, 'node_modules/vitest/vitest.mjs')
const ci = Boolean(process.env.CI) && !['0', 'false'].includes(process.env.CI.toLowerCase())
// A hung run (a socket that keeps a worker alive) must not eat CI's time: every project takes
// about 2 minutes on the machine's Node, plus the browser suites in Chromium and Firefox (with the
// HTTP fallback's through a proxy) about 5 minutes each; the integration project under 1 minute
// elsewhere.
const RUN_LIMIT_MINUTES = { host: 18, other: 3 }

// Under `npm test`, `node` may be node_modules/.bin/node (Node 22, linked by the `node` package when
// its link was not removed after install): npm_node_execpath is the Node that runs npm itself.
const hostNode = process.env.npm_node_execpath || process.execPath

const declared = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies

/** The exact version a root devDependency pins, e.g. `24.21.0` for `npm:node@24.21.0`. */
function pinned(name) {
  const spec = declared[name]
  if (!spec) throw new Error(`package.json has no devDependency "${name}"`)
  return spec.replace(/^npm:[^@]+@/, '')
}

const integration = [vitest, 'run', '--project', 'integration']
const runtimes = [
  {
    name: 'node',
    what: "the machine's Node, ws, every project",
    command: hostNode,
    args: [vitest, 'run'],
    websocket: 'ws',
    expect: () => `node ${versionOf(hostNode).replace(/^v/, '')}`,
  },
  {
    name: 'node22',
    what: 'Node 22, built-in WebSocket, integration',
    command: join(root, 'node_modules/node/bin/node'),
    args: integration,
    websocket: 'global',
    expect: () => `node ${pinned('node')}`,
    install: 'the "node" devDependency (npm:node@22), with "node": true in "allowScripts"',
  },
  {
    name: 'node24',
    what: 'Node 24, built-in WebSocket, integration',
    command: join(root, 'node_modules/node24/bin/node'),
    args: integration,
    websocket: 'global',
    expect: () => `node ${pinned('node24')}`,
    install: 'the "node24" devDependency (npm:node@24), with "node": true in "allowScripts"',
  },
  {
    name: 'bun',
    what: 'Bun, built-in WebSocket, integration',
    command: join(root, 'node_modules/bun/bin/bun.exe'),
    // --bun: run vitest on Bun even though its bin asks for `node`.
    args: ['--bun', ...integration],
    websocket: 'global',
    expect: () => `bun ${pinned('bun')}`,
    install: 'the "bun" devDependency, with "bun": true in "allowScripts" (its postinstall puts the binary in place)',
  },
  {
    name: 'deno',
    what: 'Deno, built-in WebSocket, integration',
    command: join(root, 'node_modules/deno', process.platform === 'win32' ? 'deno.exe' : 'deno'),
    // Deno resolves the tests' bare imports through the root package.json, so it runs from the root.
    args: ['run', '--allow-all', ...integration],
    websocket: 'global',
    expect: () => `deno ${pinned('deno')}`,
    install: 'the "deno" devDependency, with "deno": true in "allowScripts" (its postinstall puts the binary in place)',
  },
]

/** `--version` of a binary, or `null` when it is missing or does not run. */
function versionOf(command) {
  if (!existsSync(command)) return null
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 30_000 })
  return probe.status === 0 ? probe.stdout.trim().split('\n')[0] : null
}

/** Runs one runtime's tests; resolves with its exit code (or a signal name) and its JSON report file. */
function run(runtime, extra, reportDir) {
  const report = join(reportDir, `${runtime.name}.json`)
  rmSync(report, { force: true }) // a run that dies before writing one must not read the last run's
  const args = [...runtime.args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra]
  const env = {
    ...process.env,
    LIFELINE_TEST_WEBSOCKET: runtime.websocket,
    // packages/core/test/runtime.test.ts checks that the tests really ran on this runtime.
    LIFELINE_TEST_RUNTIME: runtime.expect(),
  }
  return new Promise((resolve) => {
    // Its own process group, so a hung run is stopped with every worker it started.
    const child = spawn(runtime.command, args, { cwd: root, env, stdio: 'inherit', detached: true })
    const stop = (signal) => {
      try {
        process.kill(-child.pid, signal)
      } catch {}
    }
    const onSignal = (signal) => {
      stop(signal)
      process.exit(130)
    }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    let timedOut = false
    const minutes = runtime.name === 'node' ? RUN_LIMIT_MINUTES.host : RUN_LIMIT_MINUTES.other
    const timer = setTimeout(() => {
      timedOut = true
      console.error(`\n!!! ${runtime.name}: still running after ${minutes} minutes, stopped`)
      stop('SIGKILL')
    }, minutes * 60_000)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      stop('SIGKILL') // workers a crashed run left behind
      resolve({ code: timedOut ? 'timed out' : (code ?? signal), report })
    })
  })
}

/** The failing tests of a vitest JSON report, one line each: `file > test: first line of the error`. */
function failuresIn(report) {
  const lines = []
  for (const file of report.testResults ?? []) {
    const path = relative(root, file.name)
    for (const test of file.assertionResults ?? []) {
      if (test.status !== 'failed') continue
      const error = (test.failureMessages?.[0] ?? '').split('\n')[0]
      lines.push(`${path} > ${[...test.ancestorTitles, test.title].join(' > ')}: ${error}`)
    }
    // A file that failed to load has no tests, only a message.
    if (file.status === 'failed' && !file.assertionResults?.length) {
      lines.push(`${path}: ${(file.message ?? 'failed').split('\n')[0]}`)
    }
  }
  return lines
}

const argv = process.argv.slice(2)
const dashes = argv.indexOf('--')
const names = dashes === -1 ? argv : argv.slice(0, dashes)
const extra = dashes === -1 ? [] : argv.slice(dashes + 1)
const unknown = names.filter((name) => !runtimes.some((r) => r.name === name))
if (unknown.length) {
  console.error(`unknown runtime ${unknown.join(', ')}; choose from ${runtimes.map((r) => r.name).join(', ')}`)
  process.exit(2)
}
const chosen = names.length ? runtimes.filter((r) => names.includes(r.name)) : runtimes

if (existsSync(join(root, 'node_modules/.bin/node'))) {
  console.warn(
    "!!! node_modules/.bin/node exists: npm scripts run on that Node, not the machine's. `npm install` removes it (see scripts/unlink-node-bin.mjs).",
  )
}

// Kept after the run (test-results/ is ignored), for a closer look at a runtime's failures.
const reportDir = join(root, 'test-results/runtimes')
mkdirSync(reportDir, { recursive: true })
const results = []
for (const runtime of chosen) {
  const version = versionOf(runtime.command)
  if (version === null) {
    const where = relative(root, runtime.command)
    const banner = [
      `${runtime.name} is NOT INSTALLED: ${where} is missing or does not run, so its tests did not run.`,
      `Install it with \`npm install\` in ${root}: it is ${runtime.install}.`,
      ci ? 'CI=true: this fails the run.' : 'Outside CI this does not fail the run, but its tests were NOT run.',
    ]
    console.error(`\n${'!'.repeat(100)}\n${banner.map((line) => `!!! ${line}`).join('\n')}\n${'!'.repeat(100)}\n`)
    results.push({
      runtime,
      outcome: 'NOT INSTALLED, its tests did NOT run (npm install)',
      missing: true,
      failures: [],
    })
    continue
  }
  console.log(`\n=== ${runtime.name}: ${runtime.what} (${runtime.expect()}) ===\n`)
  const started = Date.now()
  const { code, report } = await run(runtime, extra, reportDir)
  const seconds = Math.round((Date.now() - started) / 1000)
  let parsed = null
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8'))
  } catch {}
  const failures = parsed ? failuresIn(parsed) : []
  const counts = parsed ? `${parsed.numPassedTests} passed, ${parsed.numFailedTests} failed` : 'no report'
  results.push({ runtime, outcome: code === 0 ? counts : `${counts} (exit ${code})`, failures, seconds, code })
}

console.log('\n=== Results by runtime ===')
for (const { runtime, outcome, failures, seconds } of results) {
  console.log(`${runtime.name.padEnd(7)} ${runtime.what.padEnd(42)} ${outcome}${seconds ? `, ${seconds} s` : ''}`)
  for (const failure of failures) console.log(`          x ${failure}`)
}
const missing = results.filter((r) => r.missing)
if (missing.length && !ci) {
  console.error(`\n!!! NOT RUN, not installed: ${missing.map((r) => r.runtime.name).join(', ')}. Run \`npm install\`.`)
}
const failed = results.filter((r) => (r.missing ? ci : r.code !== 0))
if (failed.length) {
  console.error(`\nFailed on: ${failed.map((r) => r.runtime.name).join(', ')}`)
  process.exit(1)
}
