// Time to recover: a client in a channel (Lifeline) or room (socket.io with connection state
// recovery) loses its link, `missed` publications are made while it is away (new connections
// refused meanwhile, see `away` in ../lib/channelServer.mjs), and connections are let through
// again. Measured in the client process: from the link's return (Lifeline's `open`, socket.io's
// Manager `open`: the transport is up again, whatever each library's reconnect delay was) to the
// delivery of the last missed publication. Both reconnect after 10–50 ms, so a round is short;
// the delay is not part of the time. One publication is delivered before the first drop, so
// socket.io has an offset to resume from (see the first-drop case of ./channelsChaos.mjs). Each
// library keeps one client and one channel over its rounds; the median of `rounds` per count.
import { startChannelServer } from '../lib/channelControl.mjs'
import { sleep, withTimeout } from '../lib/clock.mjs'
import { summary } from '../lib/stats.mjs'

/** Waits until `n` was delivered (→ its index in `received`), or `limit` ms (→ -1). */
async function delivered(client, n, limit) {
  const deadline = performance.now() + limit
  let from = 0
  while (performance.now() < deadline) {
    const at = client.received.indexOf(n, from)
    if (at !== -1) return at
    from = Math.max(0, client.received.length - 1)
    await sleep(2)
  }
  return -1
}

async function rounds(control, lib, config) {
  const name = `recovery-${lib.name}`
  const room = name
  const options = lib.server === 'lifeline' ? { history: { size: config.historySize } } : { recovery: true }
  const { port } = await control.listen(name, lib.server, options)
  const client = lib.connect(`ws://127.0.0.1:${port}/`, { room, fast: true })
  const samples = []
  try {
    if ((await withTimeout(client.ready, 10_000)) === 'timeout') throw new Error(`${lib.name}: not joined in 10 s`)
    await control.burst(name, room, 1)
    if ((await delivered(client, 1, 5000)) === -1) throw new Error(`${lib.name}: the first publication never came`)
    for (const missed of config.missed) {
      for (let round = 1; round <= config.rounds; round++) {
        const opensBefore = client.opens.length
        const firstBefore = client.received.length
        const { last } = await control.away(name, room, missed)
        const at = await delivered(client, last, config.limit)
        const back = client.opens[opensBefore]
        const got = new Set(client.received.slice(firstBefore).filter((n) => n > last - missed && n <= last)).size
        const sample = {
          missed,
          round,
          recovered: got,
          ms: at === -1 || back === undefined ? null : client.times[at] - back,
          gaps: client.gaps.length,
        }
        samples.push(sample)
        // The join's answer and anything after it settle before the next drop.
        await sleep(config.pauseMs)
      }
    }
  } finally {
    client.close()
    await control.down(name)
  }
  return samples
}

/**
 * @param libs channel clients (../lib/channelClients.mjs)
 * @param config { missed: number[], rounds, historySize, limit, pauseMs }
 */
export async function channelsRecovery(libs, config) {
  const control = await startChannelServer()
  const results = []
  try {
    for (const lib of libs) {
      const samples = await rounds(control, lib, config)
      for (const missed of config.missed) {
        const mine = samples.filter((s) => s.missed === missed)
        const times = mine.map((s) => s.ms).filter((ms) => ms !== null)
        const result = {
          name: lib.name,
          label: lib.label,
          missed,
          rounds: mine.length,
          complete: mine.filter((s) => s.recovered === missed).length,
          recovered: mine.map((s) => s.recovered),
          ms: times.length ? summary(times) : null,
          samples: mine,
        }
        results.push(result)
        config.log?.(
          `  ${lib.name}, ${missed} missed: ${result.complete}/${result.rounds} rounds recovered all; ${result.ms ? `median ${result.ms.median.toFixed(1)} ms (${result.ms.min.toFixed(1)}–${result.ms.max.toFixed(1)})` : 'never'}`,
        )
      }
    }
  } finally {
    await control.stop()
  }
  const { log, ...settings } = config
  return { ...settings, results }
}
