// Checks Lifeline's budgets against a run's results. Each check says what was required and
// what was measured; a missed budget makes the bench exit non-zero.
import { budgets } from '../config.mjs'
import { fanoutRatio } from '../scenarios/channelsFanout.mjs'
import { heldOnce } from '../scenarios/flapping.mjs'
import { requestSliceRatios } from '../scenarios/requests.mjs'
import { sliceRatios } from '../scenarios/throughput.mjs'
import { median, percentile } from './stats.mjs'

const percent = (ratio) => `${(ratio * 100).toFixed(1)}%`

function throughputChecks(throughput) {
  const check = (id, title, name, baseline, limit) => {
    const ratios = sliceRatios(throughput, name, baseline)
    const ratio = median(ratios)
    return {
      id,
      title,
      required: `>= ${percent(limit)}`,
      measured: `${percent(ratio)} (median of ${ratios.length} back-to-back slice ratios; quartiles ${percent(percentile(ratios, 25))}–${percent(percentile(ratios, 75))})`,
      value: ratio,
      pass: ratio >= limit,
    }
  }
  return [
    check('throughput-raw', 'Lifeline (rawCodec) msgs/s vs raw ws', 'lifeline-raw', 'ws', budgets.throughputRatio),
    check(
      'throughput-json',
      'Lifeline (JSON) msgs/s vs ws + JSON.stringify/parse',
      'lifeline-json',
      'ws-json',
      budgets.jsonRatio,
    ),
  ]
}

function leakChecks(leaks) {
  return leaks.results
    .filter((r) => r.name.startsWith('lifeline'))
    .map((r) => {
      const left = Object.entries(r.leftover).map(([kind, n]) => `${n} ${kind}`)
      const heapOk = r.heapGrowthBytesPerCycle <= budgets.heapBytesPerCycle
      return {
        id: `leaks-${r.name}-${r.kind}`,
        title: `${r.label}: ${r.cycles.toLocaleString('en-US')} ${r.kind} cycles leave nothing behind`,
        required: `no sockets, timers or window listeners left; heap growth <= ${budgets.heapBytesPerCycle} B/cycle`,
        measured: `${left.length ? `left ${left.join(', ')}` : 'nothing left'}, ${Math.round(r.heapGrowthBytesPerCycle)} B/cycle`,
        value: r.heapGrowthBytesPerCycle,
        // A window target that was never used would prove nothing about listeners.
        pass: left.length === 0 && heapOk && leaks.gcExposed && r.peakWindowListeners > 0,
      }
    })
}

const kib = (n) => `${n} B (${(n / 1024).toFixed(2)} KiB)`

function sizeChecks(size) {
  const { gzipBytes } = size.lifelineIife
  const lifeline = size.results.find((r) => r.name === 'lifeline')
  const esbuildGzip = lifeline?.esbuild?.gzipBytes ?? Number.NaN
  return [
    {
      id: 'size-iife',
      title: 'core IIFE (lifeline.iife.min.js, eventemitter3 included), min+gzip',
      required: `<= ${kib(budgets.iifeGzipBytes)}`,
      measured: kib(gzipBytes),
      value: gzipBytes,
      pass: gzipBytes <= budgets.iifeGzipBytes,
    },
    {
      id: 'size-esbuild-import',
      title: `\`${lifeline?.entry ?? "export { connect } from '@lifeline/core'"}\`, esbuild (bundle, minify, esm, browser, target es2020), gzip`,
      required: `<= ${kib(budgets.esbuildImportGzipBytes)}`,
      measured: Number.isFinite(esbuildGzip) ? kib(esbuildGzip) : 'not measured',
      value: esbuildGzip,
      pass: esbuildGzip <= budgets.esbuildImportGzipBytes,
    },
  ]
}

function herdChecks(herd) {
  const limits = budgets.herd
  const result = herd.results.find((r) => r.name === 'lifeline-raw' && r.settings === 'default')
  const setup = `${limits.clients} clients, default settings, server down ${limits.downtimeMs} ms`
  // The limits hold for this herd only: a run with another size or outage measures something else.
  const sameHerd = result && herd.clients === limits.clients && herd.downtimeMs === limits.downtimeMs
  const ran = `${herd.clients} clients, server down ${herd.downtimeMs} ms`
  const check = (id, title, required, measured, value, pass) => ({
    id,
    title: `herd (${setup}): ${title}`,
    required,
    measured: sameHerd ? measured : `${ran}: not the budgeted herd`,
    value: sameHerd ? value : Number.NaN,
    pass: Boolean(sameHerd && pass),
  })
  if (!result) {
    const missing = 'no run of Lifeline (rawCodec) with default settings'
    return [
      { id: 'herd', title: `herd (${setup})`, required: 'a run', measured: missing, value: Number.NaN, pass: false },
    ]
  }
  const peakLimit = Math.floor(limits.peakShare * limits.clients)
  const back = `${result.reconnected}/${result.clients} back`
  return [
    check(
      'herd-peak',
      'peak completed handshakes per 100 ms',
      `<= ${percent(limits.peakShare)} of the clients (${peakLimit})`,
      `${result.peakPer100ms} (${percent(result.peakPer100ms / result.clients)})`,
      result.peakPer100ms,
      result.peakPer100ms <= peakLimit,
    ),
    check(
      'herd-back',
      "every client back after the server's return",
      `all ${limits.clients} within ${limits.backWithinMs} ms`,
      Number.isFinite(result.lastAfterUpMs)
        ? `${back}, the last ${Math.round(result.lastAfterUpMs)} ms after the return`
        : `${back} within the ${herd.timeoutMs} ms wait`,
      result.lastAfterUpMs,
      result.reconnected === limits.clients && result.lastAfterUpMs <= limits.backWithinMs,
    ),
    check(
      'herd-p50',
      'median reconnect, from the drop',
      `<= ${limits.p50Ms} ms`,
      `${Math.round(result.p50Ms)} ms (p99 ${Math.round(result.p99Ms)} ms)`,
      result.p50Ms,
      result.p50Ms <= limits.p50Ms,
    ),
  ]
}

const seconds = (n) => `${(n / 1000).toFixed(2)} s`

/** Ordinary outages, side by side: Lifeline's median time back against socket.io's, per outage length. */
function outageChecks(outage) {
  return outage.outages.map((outageMs) => {
    const of = (name) => outage.results.find((r) => r.name === name && r.outageMs === outageMs)
    const ours = of('lifeline')
    const theirs = of('socket.io')
    const everyoneBack = [ours, theirs].every((r) => r && r.back === r.clients)
    const ratio = ours && theirs ? ours.p50Ms / theirs.p50Ms : Number.NaN
    const back = (r) => (r ? `${r.back}/${r.clients} back` : 'not run')
    return {
      id: `outage-${outageMs}`,
      title: `${outage.clients} clients each, server killed and back after ${outageMs / 1000} s, defaults: Lifeline's median time back vs socket.io's`,
      required: `<= ${budgets.outageMedianVsSocketIo.toFixed(2)}× (every client back)`,
      measured: everyoneBack
        ? `${seconds(ours.p50Ms)} vs ${seconds(theirs.p50Ms)} (${ratio.toFixed(2)}×)`
        : `Lifeline ${back(ours)}, socket.io ${back(theirs)}`,
      value: ratio,
      pass: everyoneBack && ratio <= budgets.outageMedianVsSocketIo,
    }
  })
}

/** The simulated long outage: spread during the outage and after the return, median back vs socket.io's. */
function longOutageChecks(long) {
  const ours = long.results.find((r) => r.name === 'lifeline')
  const theirs = long.results.find((r) => r.name === 'socket.io')
  const { peakShare } = budgets.longOutage
  const limit = Math.floor(peakShare * long.clients)
  const setup = `${long.clients.toLocaleString('en-US')} clients, server down ${long.downtimeMs / 60_000} min (simulated), default settings`
  return [
    {
      id: 'long-outage-peak',
      title: `long outage (${setup}): most attempts in any 100 ms during the outage, and opens in any 100 ms after the return`,
      required: `<= ${percent(peakShare)} of the clients (${limit}) each`,
      measured: `${ours.peakDuringOutage} during, ${ours.peakAfterReturn} after`,
      value: Math.max(ours.peakDuringOutage, ours.peakAfterReturn),
      pass: ours.peakDuringOutage <= limit && ours.peakAfterReturn <= limit,
    },
    {
      id: 'long-outage-p50',
      title: `long outage (${setup}): median time back after the return vs socket.io's in the same simulation`,
      required: "<= socket.io's",
      measured: `${seconds(ours.p50Ms)} vs ${seconds(theirs.p50Ms)}`,
      value: ours.p50Ms / theirs.p50Ms,
      pass: ours.p50Ms <= theirs.p50Ms,
    },
  ]
}

/** connectShared: however many tabs, the server sees one WebSocket. */
function tabsChecks(tabs) {
  if (tabs.skipped) return []
  const shared = tabs.results.filter((r) => r.mode === 'connectShared')
  return [
    {
      id: 'tabs-one-socket',
      title: `connectShared in ${shared.map((r) => r.tabs).join(', ')} tabs of one Chromium profile: WebSockets at the server`,
      required: '1 for any number of tabs',
      measured: shared.map((r) => `${r.tabs} tabs: ${r.serverSockets}`).join(', '),
      value: Math.max(...shared.map((r) => r.serverSockets)),
      pass: shared.length > 0 && shared.every((r) => r.serverSockets === 1),
    },
  ]
}

/** Pipelined request round trips/s, Lifeline with @lifeline/server against socket.io and against bare ws by hand. */
function requestChecks(requests) {
  const check = (id, title, baseline, limit) => {
    const ratios = requestSliceRatios(requests, 'lifeline', baseline)
    const ratio = median(ratios)
    return {
      id,
      title,
      required: `>= ${limit.toFixed(2)}×`,
      measured: `${ratio.toFixed(2)}× (median of ${ratios.length} back-to-back slice ratios; quartiles ${percentile(ratios, 25).toFixed(2)}–${percentile(ratios, 75).toFixed(2)})`,
      value: ratio,
      pass: ratio >= limit,
    }
  }
  const setup = `${requests.window} in flight`
  return [
    check(
      'requests-vs-socket.io',
      `Lifeline + @lifeline/server request round trips/s vs socket.io emitWithAck (${setup})`,
      'socket.io',
      budgets.requestsVsSocketIo,
    ),
    check(
      'requests-vs-ws',
      `Lifeline + @lifeline/server request round trips/s vs bare ws with a hand-written id map (${setup})`,
      'ws',
      budgets.requestsVsWs,
    ),
  ]
}

/** Through a server that cuts every link every 200 ms: every request answered, its handler run once. */
function flappingChecks(flapping) {
  const { results } = flapping
  const runs = (r) => `${r.mode} run ${r.run}`
  // A run that no cut reached proves nothing about cuts.
  const failed = results.filter((r) => !heldOnce(r) || r.drops === 0)
  return [
    {
      id: 'flapping-once',
      title: `${flapping.requests.toLocaleString('en-US')} requests through a server that cuts every link every ${flapping.flapMs} ms (${results.length} runs): each resolved with its reply, the handler run once per request`,
      required: `${flapping.requests.toLocaleString('en-US')} resolved and ${flapping.requests.toLocaleString('en-US')} handler runs in every run, none lost, every run cut at least once`,
      measured: failed.length
        ? failed
            .map(
              (r) =>
                `${runs(r)}: ${r.resolved} resolved, ${r.rejected} rejected, ${r.neverSettled} never settled, ${r.handlerRuns} handler runs (${r.idsRunTwice} ids twice), ${r.drops} drops`,
            )
            .join('; ')
        : `all ${results.length} runs: ${flapping.requests.toLocaleString('en-US')} resolved, ${flapping.requests.toLocaleString('en-US')} handler runs, across ${results.reduce((sum, r) => sum + r.drops, 0)} drops`,
      value: failed.length,
      pass: results.length > 0 && failed.length === 0,
    },
  ]
}

/** What `@lifeline/core/channels` adds to the core: as esbuild bundles the import, and the CDN file. */
function channelsSizeChecks(size) {
  const limit = budgets.channels.addedGzipBytes
  const entry = size.results.find((r) => r.name === 'lifeline-channels')
  const iife = size.iifes.find((i) => i.name === 'channels')
  if (!entry || !iife) return []
  const added = entry.added?.esbuildGzipBytes ?? Number.NaN
  return [
    {
      id: 'size-channels-esbuild',
      title: `what \`export { channel } from '@lifeline/core/channels'\` adds to \`{ connect }\`, esbuild (bundle, minify, esm, browser, target es2020), gzip`,
      required: `<= ${kib(limit)}`,
      measured: kib(added),
      value: added,
      pass: added <= limit,
    },
    {
      id: 'size-channels-iife',
      title: `${iife.file.split('/').at(-1)} (adds \`Lifeline.channel\` to the core IIFE), min+gzip`,
      required: `<= ${kib(limit)}`,
      measured: kib(iife.gzipBytes),
      value: iife.gzipBytes,
      pass: iife.gzipBytes <= limit,
    },
  ]
}

/** Channels under chaos: every Lifeline run exact (each once, in order, or gaps that account for what is missing). */
function channelsChaosChecks(chaos) {
  const ours = chaos.results.filter((r) => r.library === 'lifeline')
  // A run that no cut reached proves nothing about recovery.
  const failed = ours.filter((r) => !r.exact || r.connectionsCut === 0)
  const count = chaos.count.toLocaleString('en-US')
  const cutMs = Math.round((chaos.cutEvery / chaos.rate) * 1000)
  const firsts = chaos.firstDrops.filter((r) => r.library === 'lifeline')
  const firstFailed = firsts.filter((r) => r.recoveredMissed !== r.missed || r.liveDelivered !== r.live || !r.exact)
  return [
    {
      id: 'channels-chaos-exact',
      title: `${count} publications at ${chaos.rate.toLocaleString('en-US')}/s into a channel, the link cut every ${cutMs} ms (${ours.length} runs): Lifeline delivers each once in order, or reports gaps that account exactly for what is missing`,
      required:
        'no duplicate, no reordering, no silent loss, no gap over a delivered offset; every run cut at least once',
      measured: failed.length
        ? failed
            .map(
              (r) =>
                `${r.variant} run ${r.run}: ${r.delivered}/${r.count} delivered, ${r.lostSilently} lost silently, ${r.lostWithGap} in gaps, ${r.duplicated} duplicated, ${r.reordered} reordered, ${r.announcedButDelivered} in a gap but delivered, ${r.connectionsCut} connections cut`,
            )
            .join('; ')
        : ours
            .map(
              (r) =>
                `${r.variant} run ${r.run}: ${r.delivered.toLocaleString('en-US')}/${r.count.toLocaleString('en-US')} delivered${r.lostWithGap ? `, ${r.lostWithGap} in gaps` : ''} across ${r.connectionsCut} cuts`,
            )
            .join('; '),
      value: failed.length,
      pass: ours.length > 0 && failed.length === 0,
    },
    {
      id: 'channels-first-drop',
      title: `a drop before the first publication (socket.io#5538) and after one: Lifeline recovers the ${chaos.missed} published while away, then goes on live`,
      required: `${chaos.missed}/${chaos.missed} recovered and ${chaos.live}/${chaos.live} live, exactly, in both cases`,
      measured: firsts
        .map(
          (r) =>
            `after ${r.before}: ${r.recoveredMissed}/${r.missed} recovered, ${r.liveDelivered}/${r.live} live${r.exact ? '' : ' (not exact)'}`,
        )
        .join('; '),
      value: firstFailed.length,
      pass: firsts.length === 2 && firstFailed.length === 0,
    },
  ]
}

/** Fan-out to 1,000 subscribers: Lifeline's publications/s over socket.io's rooms, in each shape. */
function channelsFanoutChecks(fanout) {
  const limit = budgets.channels.fanoutVsSocketIo
  return fanout.shapes.map((shape) => {
    const { ratio, count, q1, q3 } = fanoutRatio(fanout, shape.name, 'lifeline', 'socket.io')
    const how = shape.turns ? 'each publication in its own turn' : `${shape.burst} publications per turn`
    return {
      id: `channels-fanout-${shape.name}`,
      title: `fan-out to ${fanout.subscribers.toLocaleString('en-US')} subscribers on one server process (${how}): Lifeline \`hub.publish\` publications/s vs socket.io \`io.to(room).emit\``,
      required: `>= ${limit.toFixed(2)}×`,
      measured: `${ratio.toFixed(2)}× (median of ${count} back-to-back slice ratios; quartiles ${q1.toFixed(2)}–${q3.toFixed(2)})`,
      value: ratio,
      pass: ratio >= limit,
    }
  })
}

/** The flood's effect on a quiet peer (default rate limit), and the slow consumer's memory. */
function defencesChecks(defences) {
  const flood = defences.flood.find((r) => r.name === 'default')
  const slow = defences.slowConsumer
  const limit = budgets.defences.floodP99Ratio
  return [
    ...(flood
      ? [
          {
            id: 'defences-flood',
            title: `a quiet peer's request p99 while another peer sends ${flood.messages.toLocaleString('en-US')} small messages (default rate limit), over its p99 alone`,
            required: `<= ${limit}×`,
            measured: `${flood.ratio.toFixed(2)}× (median of ${flood.rounds.length} rounds: ${flood.rounds.map((r) => r.ratio.toFixed(2)).join(', ')}; ${flood.errors} error replies)`,
            value: flood.ratio,
            pass: flood.ratio <= limit && flood.errors === 0,
          },
        ]
      : []),
    {
      id: 'defences-slow-consumer',
      title: `what the server buffers for a peer that reads nothing while ${slow.megabytes} MB are broadcast`,
      required: `< highWaterMark + one frame (${(slow.limit / 1_048_576).toFixed(2)} MiB)`,
      measured: `${(slow.maxBuffered / 1_048_576).toFixed(2)} MiB buffered for it at most; ${slow.slowConsumers} peer(s) cut with 4008`,
      value: slow.maxBuffered,
      pass: slow.maxBuffered < slow.limit && slow.slowConsumers >= 1,
    },
  ]
}

/** Every budget whose scenario ran in `results`. */
export function checkBudgets(results) {
  return [
    ...(results.throughput ? throughputChecks(results.throughput) : []),
    ...(results.leaks ? leakChecks(results.leaks) : []),
    ...(results.herd ? herdChecks(results.herd) : []),
    ...(results.herd?.longOutage ? longOutageChecks(results.herd.longOutage) : []),
    ...(results.outage ? outageChecks(results.outage) : []),
    ...(results.size ? sizeChecks(results.size) : []),
    ...(results.size ? channelsSizeChecks(results.size) : []),
    ...(results.tabs ? tabsChecks(results.tabs) : []),
    ...(results.requests ? requestChecks(results.requests) : []),
    ...(results.flapping ? flappingChecks(results.flapping) : []),
    ...(results.channelsChaos ? channelsChaosChecks(results.channelsChaos) : []),
    ...(results.channelsFanout ? channelsFanoutChecks(results.channelsFanout) : []),
    ...(results.defences ? defencesChecks(results.defences) : []),
  ]
}
