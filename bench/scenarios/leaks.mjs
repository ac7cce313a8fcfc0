// Leaks: many open/close cycles per library, then (after garbage collection) heap growth per
// cycle and the handles/timers still active compared with before. Two kinds of cycle:
// open → wait for open → close, and open → close at once (before the handshake).
import { now, sleep, withTimeout } from '../lib/clock.mjs'

/** Counts of active resources by kind (Timeout, TCPSocketWrap, ...). */
function resources() {
  const counts = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

/** Resources present now beyond `baseline`, as { kind: extra }. */
function leftover(baseline) {
  const extra = {}
  for (const [kind, count] of Object.entries(resources())) {
    if (count > (baseline[kind] ?? 0)) extra[kind] = count - (baseline[kind] ?? 0)
  }
  return extra
}

async function collectGarbage() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc?.()
    await sleep(10)
  }
  return process.memoryUsage().heapUsed
}

/** A stand-in for `window` (and its `document`) that counts the listeners currently attached. */
function countingWindow() {
  const target = {
    listeners: 0,
    /** The most attached at once: shows the library really used this target. */
    peak: 0,
    addEventListener() {
      target.listeners++
      target.peak = Math.max(target.peak, target.listeners)
    },
    removeEventListener() {
      target.listeners--
    },
  }
  target.document = {
    visibilityState: 'visible',
    addEventListener: target.addEventListener,
    removeEventListener: target.removeEventListener,
  }
  return target
}

const kinds = {
  async 'open-close'(lib, url, options) {
    const client = lib.connect(url, options)
    if ((await withTimeout(client.ready, 5000)) === 'timeout') throw new Error(`${lib.name}: no open`)
    client.close()
  },
  async 'immediate-close'(lib, url, options) {
    lib.connect(url, options).close()
  },
}

async function cycles(lib, kind, url, count, options) {
  for (let i = 0; i < count; i++) await kinds[kind](lib, url, options)
}

/** Waits (at most `limit` ms) until no resource beyond `baseline` is active; returns what is left. */
async function settle(baseline, limit) {
  const until = now() + limit
  let extra = leftover(baseline)
  while (Object.keys(extra).length > 0 && now() < until) {
    await sleep(50)
    extra = leftover(baseline)
  }
  return extra
}

async function leakOnce(lib, kind, url, config) {
  const idle = resources()
  // Warm up, so first-use allocations (JIT code, lazily built tables) do not count as growth.
  await cycles(lib, kind, url, config.warmup)
  const fakeWindow = countingWindow()
  await settle(idle, config.settle)
  const heapBefore = await collectGarbage()
  const baseline = resources()
  const start = now()
  await cycles(lib, kind, url, config.cycles, lib.browserEvents ? { browserEvents: fakeWindow } : {})
  const elapsedMs = now() - start
  // Closing handshakes finish in the background: give them time, bounded.
  const extra = await settle(baseline, config.settle)
  if (fakeWindow.listeners !== 0) extra['window listener'] = fakeWindow.listeners
  const heapAfter = await collectGarbage()
  return {
    name: lib.name,
    label: lib.label,
    kind,
    cycles: config.cycles,
    msPerCycle: elapsedMs / config.cycles,
    heapGrowthBytesPerCycle: (heapAfter - heapBefore) / config.cycles,
    leftover: extra,
    peakWindowListeners: lib.browserEvents ? fakeWindow.peak : null,
  }
}

/** @param config { cycles, warmup, settle } */
export async function leaks(libs, server, config) {
  const { port } = await server.listen('leaks')
  const url = `ws://127.0.0.1:${port}/echo`
  const results = []
  for (const kind of Object.keys(kinds)) {
    for (const lib of libs) {
      const result = await leakOnce(lib, kind, url, config)
      results.push(result)
      const left = Object.entries(result.leftover).map(([k, n]) => `${n} ${k}`)
      config.log?.(
        `  ${lib.name.padEnd(24)} ${kind.padEnd(16)} ${result.heapGrowthBytesPerCycle.toFixed(0).padStart(6)} B/cycle heap, left: ${left.join(', ') || 'nothing'} (${result.msPerCycle.toFixed(2)} ms/cycle)`,
      )
    }
  }
  await server.down('leaks')
  return { cycles: config.cycles, gcExposed: typeof globalThis.gc === 'function', results }
}
