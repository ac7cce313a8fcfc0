// Every chart of the benchmarks page, from a run's results: { name: svg } for the scenarios
// that ran. run.mjs writes each as `<prefix><name>.svg` beside the page.
import { budgets } from '../config.mjs'
import { requestRatio } from '../scenarios/requests.mjs'
import { panelsSvg, stackedSvg, throughputSvg, timelineSvg } from './svg.mjs'

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`
const plainKib = (n) => `${(n / 1024).toFixed(1)}`
/** Labels come from Markdown; a chart shows them plain. */
const plain = (label) => label.replace(/`/g, '')

function requestsChart(requests) {
  const rows = requests.results.map((r) => ({ label: plain(r.label), highlight: r.name.startsWith('lifeline') }))
  const values = (f) => requests.results.map(f)
  return panelsSvg({
    title: 'Request/reply round trips, each client against its own server',
    subtitle: `sequential: ${requests.results[0].latencyMs.samples.toLocaleString('en-US')} timed round trips each; pipelined: ${requests.window} in flight, median of ${requests.runs} runs`,
    rows,
    metrics: [
      { title: 'p50 latency', values: values((r) => r.latencyMs.p50), format: (n) => `${n.toFixed(3)} ms` },
      { title: 'p99 latency', values: values((r) => r.latencyMs.p99), format: (n) => `${n.toFixed(2)} ms` },
      {
        title: 'pipelined requests/s',
        values: values((r) => r.requestsPerSec.median),
        format: (n) => `${Math.round(n / 100) / 10}k/s`,
      },
      {
        title: 'vs bare ws (req/s)',
        values: values((r) => requestRatio(requests, r.name, 'ws')),
        format: (n) => `${n.toFixed(2)}×`,
      },
    ],
    panelWidth: 180,
  })
}

function restartChart(restart) {
  return stackedSvg({
    title: 'Requests across a server restart',
    subtitle: `${restart.requests} requests at ${restart.rate}/s; the server killed ${restart.crashAt / 1000} s in and back ${restart.downtime} ms later; outcome ${restart.settleWait / 1000} s after the last request`,
    rows: restart.results.map((r) => ({
      label: plain(r.label),
      highlight: r.name.startsWith('lifeline'),
      parts: [r.resolved, r.rejected, r.neverSettled + r.wrongReplies],
      note: [
        r.rejected && `${r.rejected} rejected`,
        r.neverSettled + r.wrongReplies && `${r.neverSettled + r.wrongReplies} lost`,
        r.ranTwice && `${r.ranTwice} ran twice`,
      ]
        .filter(Boolean)
        .join(', '),
    })),
    legend: [
      { label: 'resolved with its reply', color: '#2f7d5b' },
      { label: 'rejected (an error to handle)', color: '#d08c2e' },
      { label: 'never settled (lost)', color: '#c0392b' },
    ],
  })
}

function sizeChart(size) {
  const byName = (name) => size.results.find((r) => r.name === name)
  const lifeline = size.results.filter((r) => r.group !== 'peer' && r.name !== 'lifeline-raw')
  const peers = size.results.filter((r) => r.group === 'peer')
  const rows = [
    ...lifeline.map((r) => ({
      label: r.group === 'dev' ? `${r.label} (dev only)` : r.label,
      highlight: true,
      total: r.esbuild.gzipBytes,
      added: r.added?.esbuildGzipBytes,
    })),
    ...size.iifes.map((f) => ({
      label: `CDN ${f.file.split('/').pop()}`,
      highlight: true,
      total: f.gzipBytes,
      added: f.needs?.includes('lifeline.iife.min.js') ? f.gzipBytes : Number.NaN,
    })),
    ...peers.map((r) => ({ label: r.label, highlight: false, total: r.esbuild.gzipBytes, added: Number.NaN })),
  ]
  const budget = { value: budgets.esbuildImportGzipBytes, label: `budget ${kib(budgets.esbuildImportGzipBytes)}` }
  return panelsSvg({
    title: 'Bundle size, min+gzip (KiB)',
    subtitle: `npm entries bundled by esbuild ${size.esbuildSettings.version} (es2020, minify, ws and frameworks external); CDN files as built; gzip -9`,
    rows: rows.map(({ label, highlight }) => ({ label, highlight })),
    metrics: [
      {
        title: 'what the app ships',
        values: rows.map((r) => r.total),
        format: plainKib,
        marker: byName('lifeline') ? budget : undefined,
      },
      {
        title: 'added to @lifeline/core',
        values: rows.map((r) => (Number.isFinite(r.added) ? r.added : Number.NaN)),
        format: plainKib,
      },
    ],
    panelWidth: 280,
  })
}

const HERD_COLORS = { 'lifeline-raw': '#2f7d5b', partysocket: '#d08c2e', 'reconnecting-websocket': '#5b6b8a' }

function herdChart(herd) {
  const runs = herd.results.filter((r) => r.settings === 'default')
  const last = Math.max(...runs.map((r) => Math.max(...Object.keys(r.histogram).map(Number)) + herd.windowMs))
  const limit = Math.floor(budgets.herd.peakShare * herd.clients)
  return timelineSvg({
    title: `Thundering herd: ${herd.clients} clients, server down ${herd.downtimeMs} ms, default settings`,
    subtitle: `completed handshakes at the server in fixed ${herd.windowMs} ms buckets from its return (the budget's peak: any ${herd.windowMs} ms window)`,
    series: runs.map((r) => ({
      label: r.label,
      color: HERD_COLORS[r.name] ?? '#8a94a6',
      highlight: r.name.startsWith('lifeline'),
      buckets: r.histogram,
    })),
    bucketMs: herd.windowMs,
    fromMs: 0,
    toMs: Math.max(1000, Math.ceil((last + 300) / 500) * 500),
    marker: { value: limit, label: `budget: ${limit} (${budgets.herd.peakShare * 100} % of the clients)` },
    yLabel: `handshakes / ${herd.windowMs} ms`,
    xLabel: "time since the server's return",
  })
}

function tabsChart(tabs) {
  const rows = tabs.results.map((r) => ({
    label: `${r.tabs} tab${r.tabs === 1 ? '' : 's'}, ${r.mode}`,
    highlight: r.mode === 'connectShared',
  }))
  const added = (r) => r.heapTotalBytes - r.tabs * tabs.baselineHeapBytes
  return panelsSvg({
    title: 'Tabs of one Chromium profile: connectShared against connect in every tab',
    subtitle: 'WebSockets the server sees, JS heap the sockets add over all tabs, time until every tab is open',
    rows,
    metrics: [
      { title: 'WebSockets at the server', values: tabs.results.map((r) => r.serverSockets), format: String },
      { title: 'JS heap added, all tabs', values: tabs.results.map(added), format: kib },
      {
        title: 'all tabs open after',
        values: tabs.results.map((r) => r.allOpenMs),
        format: (n) => `${Math.round(n)} ms`,
      },
    ],
    panelWidth: 200,
  })
}

/** { name: svg } for every chart whose scenario ran. */
export function charts(results) {
  const out = {}
  if (results.throughput) out.throughput = throughputSvg(results.throughput)
  if (results.requests) out.requests = requestsChart(results.requests)
  if (results.restart) out.restart = restartChart(results.restart)
  if (results.size) out.size = sizeChart(results.size)
  if (results.herd) out.herd = herdChart(results.herd)
  if (results.tabs && !results.tabs.skipped && results.tabs.results.length) out.tabs = tabsChart(results.tabs)
  return out
}
