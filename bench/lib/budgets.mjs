// Checks Lifeline's budgets against a run's results. Each check says what was required and
// what was measured; a missed budget makes the bench exit non-zero.
import { budgets } from '../config.mjs'
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

function sizeChecks(size) {
  const { gzipBytes } = size.lifelineIife
  return [
    {
      id: 'size-iife',
      title: 'core IIFE (lifeline.iife.min.js), min+gzip',
      required: `<= ${budgets.iifeGzipBytes} B`,
      measured: `${gzipBytes} B (${(gzipBytes / 1024).toFixed(2)} KiB)`,
      value: gzipBytes,
      pass: gzipBytes <= budgets.iifeGzipBytes,
    },
  ]
}

/** Every budget whose scenario ran in `results`. */
export function checkBudgets(results) {
  return [
    ...(results.throughput ? throughputChecks(results.throughput) : []),
    ...(results.leaks ? leakChecks(results.leaks) : []),
    ...(results.size ? sizeChecks(results.size) : []),
  ]
}
