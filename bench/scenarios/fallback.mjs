// The HTTP fallback against a WebSocket and against socket.io's long polling, in the same run:
// Lifeline over a WebSocket, Lifeline over `FallbackWebSocket` on HTTP (server-sent events down,
// POSTs up), and socket.io-client with `transports: ['polling']`, each against its server in a
// child process (../lib/fallbackServer.mjs).
//
// Messages/s: `messages` echoes (the client sends, the server sends each back) with `window` in
// flight, timed from the first send to the last echo. Latency: `sequential` round trips one at a
// time (a Lifeline request, a socket.io ack), p50 and p99. The clients take turns, run by run, in
// an order that reverses every run, so a busy moment falls on all of them alike.
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { connect } from '@lifeline/core'
import { FallbackWebSocket } from '@lifeline/core/fallback'
import { io } from 'socket.io-client'
import WebSocket from 'ws'
import { now, withTimeout } from '../lib/clock.mjs'
import { median, percentile } from '../lib/stats.mjs'

const TEXT = 'x'.repeat(64)

/** A client of one transport: `ready`, `onEcho(listener)`, `echo(data)`, `ask(data) -> Promise`, `close()`. */
function lifelineClient(url, WebSocketClass) {
  const socket = connect(url, { WebSocket: WebSocketClass })
  return {
    ready: new Promise((resolve) => socket.on('open', resolve)),
    onEcho: (listener) => socket.on('echo', listener),
    echo: (data) => socket.send('echo', data),
    ask: (data) => socket.request('ask', data),
    close: () => socket.dispose(),
  }
}

function socketIoClient(url) {
  const socket = io(url, { transports: ['polling'], forceNew: true, reconnection: false })
  return {
    ready: new Promise((resolve) => socket.once('connect', resolve)),
    onEcho: (listener) => {
      socket.on('echo', listener)
      return () => socket.off('echo', listener)
    },
    echo: (data) => socket.emit('echo', data),
    ask: (data) => socket.emitWithAck('ask', data),
    close: () => socket.close(),
  }
}

/** `total` echoes with `window` in flight; resolves with the ms from the first send to the last echo. */
function echoes(client, total, window, timeout) {
  return new Promise((resolve, reject) => {
    let sent = 0
    let received = 0
    const start = now()
    const timer = setTimeout(() => reject(new Error(`${received}/${total} echoes within ${timeout} ms`)), timeout)
    const off = client.onEcho(() => {
      received++
      if (sent < total) client.echo({ n: sent++, text: TEXT })
      else if (received === total) {
        clearTimeout(timer)
        off?.()
        resolve(now() - start)
      }
    })
    while (sent < Math.min(window, total)) client.echo({ n: sent++, text: TEXT })
  })
}

async function roundTrips(client, count, latencies) {
  for (let n = 0; n < count; n++) {
    const start = now()
    const reply = await client.ask({ n, text: TEXT })
    latencies.push(now() - start)
    if (reply?.n !== n) throw new Error(`wrong reply: ${JSON.stringify(reply).slice(0, 60)}`)
  }
}

export async function fallback({ runs, messages, window, sequential, timeout, log }) {
  const child = fork(fileURLToPath(new URL('../lib/fallbackServer.mjs', import.meta.url)), [], { stdio: 'inherit' })
  const ports = await new Promise((resolve) => child.once('message', resolve))
  const lifelineUrl = `ws://127.0.0.1:${ports.lifeline}/live`
  const cases = [
    {
      name: 'websocket',
      label: 'Lifeline over a WebSocket',
      connect: () => lifelineClient(lifelineUrl, WebSocket),
    },
    {
      name: 'http',
      label: 'Lifeline over the HTTP fallback',
      connect: () =>
        lifelineClient(lifelineUrl, FallbackWebSocket.with({ transport: 'http', WebSocket, storage: null })),
    },
    {
      name: 'socket.io-polling',
      label: 'socket.io, long polling',
      connect: () => socketIoClient(`http://127.0.0.1:${ports.socketIo}`),
    },
  ]
  const totals = new Map(cases.map((c) => [c, { rates: [], latencies: [] }]))
  try {
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? cases : [...cases].reverse()
      for (const entry of order) {
        const client = entry.connect()
        try {
          if ((await withTimeout(client.ready, 5000)) === 'timeout') throw new Error(`${entry.name}: no link in 5 s`)
          await echoes(client, Math.min(1000, messages), window, timeout)
          const ms = await echoes(client, messages, window, timeout)
          const total = totals.get(entry)
          total.rates.push(Math.round(messages / (ms / 1000)))
          await roundTrips(client, sequential, total.latencies)
        } finally {
          client.close()
        }
      }
    }
  } finally {
    child.send('stop')
  }
  const results = cases.map((entry) => {
    const { rates, latencies } = totals.get(entry)
    return {
      name: entry.name,
      label: entry.label,
      messagesPerSec: Math.round(median(rates)),
      runs: rates,
      latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    }
  })
  for (const r of results) {
    log(
      `  ${r.label.padEnd(34)} ${String(r.messagesPerSec).padStart(8)} echoes/s   round trip p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms`,
    )
  }
  return { config: { runs, messages, window, sequential }, results }
}
