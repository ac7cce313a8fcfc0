// A herd through a long outage, on a simulated clock: `clients` clients drop together, every
// attempt before the server's return (`downtime` ms later) is refused `refuseMs` after it starts,
// and the first attempt at or after the return opens. Lifeline's attempts come from its real
// `backoffDelay` with its default reconnect settings, given the time since the drop as the socket
// does; socket.io's from socket.io-client's own `Backoff` with the Manager's defaults and steps
// (a fresh backoff at the drop, one `duration()` per attempt). Nothing waits on a real clock, so
// ten minutes of outage take a moment and the load of the machine plays no part.
import { backoffDelay } from '@lifeline/core'
import { LIFELINE_RECONNECT_DEFAULTS as LIFELINE_DEFAULTS } from '../config.mjs'
import { peakInWindow, percentile } from '../lib/stats.mjs'

const WINDOW_MS = 100

// socket.io-client keeps its backoff in a file its package does not export; import it by path.
const { Backoff } = await import(new URL('./contrib/backo2.js', import.meta.resolve('socket.io-client')))

const simulated = [
  {
    name: 'lifeline',
    label: 'Lifeline',
    settings: LIFELINE_DEFAULTS,
    client() {
      let attempt = 0
      return (elapsed) => backoffDelay(++attempt, LIFELINE_DEFAULTS, Math.random, elapsed)
    },
  },
  {
    name: 'socket.io',
    label: 'socket.io',
    settings: { reconnectionDelay: 1000, reconnectionDelayMax: 5000, randomizationFactor: 0.5 },
    client() {
      const backoff = new Backoff({ min: 1000, max: 5000, jitter: 0.5 })
      return () => backoff.duration()
    },
  },
]

function simulate(lib, config) {
  const { clients, downtime, refuseMs } = config
  const attempts = [] // every attempt's start, refused or not
  const back = [] // each client's open, from the server's return
  for (let i = 0; i < clients; i++) {
    const nextDelay = lib.client()
    let time = 0
    // Bounded: even a delay of 0 every time advances by refuseMs per attempt.
    for (let n = 0; n < 1e6; n++) {
      time += nextDelay(time)
      attempts.push(time)
      if (time >= downtime) break
      time += refuseMs
    }
    back.push(time - downtime)
  }
  const during = attempts.filter((t) => t < downtime)
  const afterFirstMinute = during.filter((t) => t >= 60_000)
  const returns = back.map((t) => t + downtime)
  return {
    name: lib.name,
    label: lib.label,
    settings: lib.settings,
    attemptsPerClientMinute: during.length / clients / (downtime / 60_000),
    peakDuringOutage: peakInWindow(during, WINDOW_MS),
    peakAfterFirstMinute: peakInWindow(afterFirstMinute, WINDOW_MS),
    peakAfterReturn: peakInWindow(returns, WINDOW_MS),
    p50Ms: percentile(back, 50),
    p90Ms: percentile(back, 90),
    maxMs: Math.max(...back),
  }
}

/** @param config { clients, downtime, refuseMs, log } */
export function longOutage(config) {
  const results = simulated.map((lib) => simulate(lib, config))
  for (const r of results)
    config.log?.(
      `  ${r.label.padEnd(10)} ${config.downtime / 60_000} min down (simulated): peak ${r.peakDuringOutage}/100 ms during (${r.peakAfterFirstMinute} after the first minute), ${r.peakAfterReturn}/100 ms after the return, back p50 ${Math.round(r.p50Ms)} ms, p90 ${Math.round(r.p90Ms)} ms`,
    )
  return {
    clients: config.clients,
    downtimeMs: config.downtime,
    refuseMs: config.refuseMs,
    windowMs: WINDOW_MS,
    results,
  }
}
