// Overhead: Lifeline's own CPU cost per message, without a network. Lifeline runs over an
// in-memory WebSocket (passed as the `WebSocket` option, like `ws`), and its send and receive
// paths are timed against JSON.stringify / JSON.parse of the same envelope. CPU time
// (process.cpuUsage), median of interleaved repetitions, in nanoseconds per message.
// Each codec is measured in a fresh child process (this file, run directly), so one codec's
// JIT state does not colour the other's, as in an app that uses one codec.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { connect, rawCodec } from '@lifeline/core'
import { median } from '../lib/stats.mjs'

const PAYLOAD = 'x'.repeat(64)
const FRAME = JSON.stringify({ type: 'm', data: PAYLOAD })
const SELF = fileURLToPath(import.meta.url)

/** Just enough of a WebSocket: opens on the next microtask, keeps the last frame sent. */
class MemoryWebSocket {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSING = 2
  static CLOSED = 3
  static last = null
  readyState = 0
  constructor(url) {
    this.url = String(url)
    MemoryWebSocket.last = this
    queueMicrotask(() => {
      this.readyState = 1
      this.onopen?.({})
    })
  }
  send(frame) {
    this.sent = frame
  }
  close() {
    this.readyState = 3
  }
}

function nsPerOp(fn, count) {
  const before = process.cpuUsage()
  fn(count)
  const used = process.cpuUsage(before)
  return ((used.user + used.system) * 1000) / count
}

/** Runs in the child: times one codec's paths (and the matching JSON baselines). */
async function measureCodec(codecName, count, repeats) {
  const json = codecName === 'json'
  const socket = connect('ws://127.0.0.1/', { WebSocket: MemoryWebSocket, ...(json ? {} : { codec: rawCodec }) })
  const ws = MemoryWebSocket.last
  await new Promise((resolve) => socket.once('open', resolve))
  let sink = 0
  if (json) socket.on('m', (data) => (sink += data.length))
  else socket.on('message', (frame) => (sink += frame.length))
  const event = { data: json ? FRAME : PAYLOAD }
  const cases = {
    send: (n) => {
      for (let i = 0; i < n; i++) socket.send('m', PAYLOAD)
    },
    receive: (n) => {
      for (let i = 0; i < n; i++) ws.onmessage(event)
    },
    ...(json && {
      'JSON.stringify': (n) => {
        for (let i = 0; i < n; i++) sink += JSON.stringify({ type: 'm', data: PAYLOAD }).length
      },
      'JSON.parse': (n) => {
        for (let i = 0; i < n; i++) sink += JSON.parse(FRAME).data.length
      },
    }),
  }
  for (const fn of Object.values(cases)) fn(count / 10) // warm up
  // Repetitions interleave the cases, so a busy moment on the machine hits them all alike.
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, []]))
  for (let r = 0; r < repeats; r++) {
    for (const [name, fn] of Object.entries(cases)) samples[name].push(nsPerOp(fn, count))
  }
  socket.dispose()
  if (sink === 0) throw new Error('overhead: nothing reached the handler')
  return Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, median(list)]))
}

async function inChild(codecName, config) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [SELF, codecName, String(config.count), String(config.repeats)],
    { timeout: 60_000 },
  )
  return JSON.parse(stdout)
}

/** @param config { count, repeats } */
export async function overhead(config) {
  const json = await inChild('json', config)
  const raw = await inChild('raw', config)
  const results = [
    { label: 'JSON codec send', lifelineNs: json.send, baseline: 'JSON.stringify', baselineNs: json['JSON.stringify'] },
    { label: 'JSON codec receive', lifelineNs: json.receive, baseline: 'JSON.parse', baselineNs: json['JSON.parse'] },
    { label: 'rawCodec send', lifelineNs: raw.send, baseline: null, baselineNs: 0 },
    { label: 'rawCodec receive', lifelineNs: raw.receive, baseline: null, baselineNs: 0 },
  ]
  for (const r of results) {
    const against = r.baseline ? ` vs ${r.baseline} ${r.baselineNs.toFixed(0)} ns` : ''
    config.log?.(`  ${r.label.padEnd(24)} ${r.lifelineNs.toFixed(0).padStart(5)} ns/msg${against}`)
  }
  return { count: config.count, repeats: config.repeats, payloadBytes: PAYLOAD.length, results }
}

if (process.argv[1] === SELF) {
  const [codecName, count, repeats] = process.argv.slice(2)
  console.log(JSON.stringify(await measureCodec(codecName, Number(count), Number(repeats))))
}
