// Channels under chaos: `count` publications at `rate`/s into one channel (Lifeline) or room
// (socket.io with connection state recovery) while the client's link is cut again and again, and
// what the app was handed: delivered, lost (silently, or announced by a Lifeline `gap`),
// duplicated, reordered. The server, its cut proxy and the publisher share the server child's
// event loop (../lib/channelServer.mjs): the proxy cuts every connection after every
// `cutEvery`-th publication (every 200 ms at 2,000/s), so the cuts fall at the same publications
// in every run. After the last publication the cuts stop and the client is given `settleMs` to
// come back and catch up. Each run has a fresh server and channel.
//
// The first drop (socket.io#5538): the client joins, its link drops before anything was published,
// `missed` publications are made while it is away (new connections refused meanwhile), and it comes
// back: what did it recover? Then `live` more, to see that it goes on. And the same after one
// publication was delivered before the drop, where socket.io has an offset to resume from.
import { startChannelServer } from '../lib/channelControl.mjs'
import { now, sleep, withTimeout } from '../lib/clock.mjs'

/**
 * What `received` (the `n` delivered, in order) and `gaps` (offset ranges announced as never coming)
 * make of publications 1..`count`.
 */
export function tally(count, received, gaps = []) {
  const seen = new Uint8Array(count + 1)
  let duplicated = 0
  let reordered = 0
  let highest = 0
  let outside = 0
  for (const n of received) {
    if (!(n >= 1 && n <= count)) {
      outside++
      continue
    }
    if (seen[n]) duplicated++
    else if (n < highest) reordered++
    seen[n] = 1
    highest = Math.max(highest, n)
  }
  const announced = new Uint8Array(count + 1)
  for (const { from, to } of gaps) for (let n = Math.max(1, from); n <= Math.min(count, to); n++) announced[n] = 1
  let delivered = 0
  let lostWithGap = 0
  let lostSilently = 0
  let announcedButDelivered = 0
  for (let n = 1; n <= count; n++) {
    if (seen[n]) {
      delivered++
      if (announced[n]) announcedButDelivered++
    } else if (announced[n]) lostWithGap++
    else lostSilently++
  }
  return {
    delivered,
    lost: count - delivered,
    lostWithGap,
    lostSilently,
    duplicated,
    reordered,
    outside,
    announcedButDelivered,
    /** Each once, in order, none missing; or the gaps account exactly for what is missing. */
    exact: duplicated === 0 && reordered === 0 && outside === 0 && lostSilently === 0 && announcedButDelivered === 0,
  }
}

/** Whether every publication up to `count` was delivered or announced in a gap. */
const accountedFor = (client, count) => {
  const t = tally(count, client.received, client.gaps)
  return t.delivered + t.lostWithGap >= count
}

/**
 * Waits until `done()`, or until the client is in its channel and nothing new arrived for
 * `quietMs` (what was not recovered by then will not be), or `limit` ms. Returns how it ended.
 */
async function settle(client, done, { quietMs, limit }) {
  const deadline = now() + limit
  let count = client.received.length
  let quietSince = now()
  while (now() < deadline) {
    if (done()) return 'complete'
    if (client.received.length !== count) {
      count = client.received.length
      quietSince = now()
    }
    if (client.joined() && now() - quietSince >= quietMs) return 'quiet'
    await sleep(10)
  }
  return done() ? 'complete' : 'limit'
}

async function connected(lib, client) {
  if ((await withTimeout(client.ready, 10_000)) === 'timeout')
    throw new Error(`${lib.name}: not in its channel in 10 s`)
}

function serverOptions(lib, config) {
  return lib.server === 'lifeline' ? { history: { size: config.historySize } } : { recovery: true }
}

async function chaosRun(control, lib, variant, run, config) {
  const name = `chaos-${lib.name}-${variant.name}-${run}`
  const room = name
  const { port } = await control.listen(name, lib.server, serverOptions(lib, config))
  const client = lib.connect(`ws://127.0.0.1:${port}/`, { room, fast: variant.fast })
  try {
    await connected(lib, client)
    const opensBefore = client.opens.length
    const stream = await control.stream(name, room, {
      count: config.count,
      rate: config.rate,
      cutEvery: config.cutEvery,
      firstCut: config.cutEvery,
    })
    const streamEnd = performance.now()
    const ending = await settle(client, () => accountedFor(client, config.count), {
      quietMs: config.quietMs,
      limit: config.settleMs,
    })
    const t = tally(config.count, client.received, client.gaps)
    const { stats } = await control.info(name)
    const lastAt = client.times.at(-1) ?? streamEnd
    return {
      library: lib.name,
      variant: variant.name,
      run,
      count: config.count,
      ...t,
      ending,
      cuts: stream.cuts,
      connectionsCut: stream.connectionsCut,
      streamMs: stream.ms,
      reconnects: client.opens.length - opensBefore,
      gaps: client.gaps.map(({ reason, from, to }) => ({ reason, from, to })),
      epochs: client.epochs.size,
      recoveredTrue: client.recovered.filter(Boolean).length,
      recoveredFalse: client.recovered.filter((r) => !r).length,
      // The last delivery, from the last publication: the tail of the catching up.
      tailMs: Math.max(0, lastAt - streamEnd),
      server: stats,
    }
  } finally {
    client.close()
    await control.down(name)
  }
}

/** A first drop: `before` publications delivered, then away while `missed` are made, then back, then `live` more. */
async function firstDrop(control, lib, before, config) {
  const name = `first-drop-${lib.name}-${before}`
  const room = name
  const { port } = await control.listen(name, lib.server, serverOptions(lib, config))
  const client = lib.connect(`ws://127.0.0.1:${port}/`, { room })
  try {
    await connected(lib, client)
    if (before > 0) {
      await control.burst(name, room, before)
      await settle(client, () => client.received.length >= before, { quietMs: 1000, limit: 5000 })
    }
    const opensBefore = client.opens.length
    const { peersLeft } = await control.away(name, room, config.missed)
    const missedTo = before + config.missed
    const back = await settle(client, () => accountedFor(client, missedTo), {
      quietMs: config.quietMs,
      limit: config.settleMs,
    })
    const atReturn = tally(missedTo, client.received, client.gaps)
    await control.burst(name, room, config.live)
    const total = missedTo + config.live
    await settle(client, () => accountedFor(client, total), { quietMs: config.quietMs, limit: 5000 })
    const all = tally(total, client.received, client.gaps)
    const inRange = (from, to) => client.received.filter((n) => n >= from && n <= to)
    return {
      library: lib.name,
      before,
      missed: config.missed,
      live: config.live,
      peersLeftAtPublish: peersLeft,
      back: client.opens.length > opensBefore,
      ending: back,
      recoveredMissed: new Set(inRange(before + 1, missedTo)).size,
      announcedMissed: atReturn.lostWithGap,
      silentlyLostMissed: atReturn.lostSilently,
      liveDelivered: new Set(inRange(missedTo + 1, total)).size,
      duplicated: all.duplicated,
      reordered: all.reordered,
      gaps: client.gaps.map(({ reason, from, to }) => ({ reason, from, to })),
      // What the app could read after the return: Lifeline's channel snapshot `recovered`, `socket.recovered`.
      recoveredFlag: client.resumed(),
      exact: all.exact,
    }
  } finally {
    client.close()
    await control.down(name)
  }
}

/**
 * @param libs channel clients (../lib/channelClients.mjs)
 * @param config { count, rate, cutEvery, historySize, variants: [{ name, fast }], runs, quietMs, settleMs, missed, live }
 */
export async function channelsChaos(libs, config) {
  const control = await startChannelServer()
  const results = []
  const firstDrops = []
  try {
    for (const variant of config.variants) {
      for (let run = 1; run <= config.runs; run++) {
        for (const lib of libs) {
          const r = await chaosRun(control, lib, variant, run, config)
          results.push(r)
          config.log?.(
            `  ${lib.name} (${variant.name}) run ${run}: ${r.delivered}/${r.count} delivered, ${r.lostSilently} lost silently, ${r.lostWithGap} in ${r.gaps.length} gaps, ${r.duplicated} duplicated, ${r.reordered} reordered; ${r.cuts} cuts (${r.connectionsCut} connections), ${r.reconnects} reconnects${lib.name === 'socket.io' ? `, recovered ${r.recoveredTrue} / not ${r.recoveredFalse}` : ''}; ${r.ending}, tail ${Math.round(r.tailMs)} ms`,
          )
        }
      }
    }
    for (const before of [0, 1]) {
      for (const lib of libs) {
        const r = await firstDrop(control, lib, before, config)
        firstDrops.push(r)
        config.log?.(
          `  first drop after ${before} delivered, ${lib.name}: recovered ${r.recoveredMissed}/${r.missed} missed (${r.announcedMissed} announced in a gap, ${r.silentlyLostMissed} silently lost), then ${r.liveDelivered}/${r.live} live; recovered ${r.recoveredFlag}`,
        )
      }
    }
  } finally {
    await control.stop()
  }
  const { log, ...settings } = config
  return {
    ...settings,
    clients: libs.map(({ name, label, note }) => ({ name, label, note })),
    results,
    firstDrops,
  }
}
