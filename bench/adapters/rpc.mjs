// Request/reply clients of the requests scenario, each against its own server kind (see
// ../lib/rpcServers.mjs). All share one shape:
//   connect(url, options?) -> { ready: Promise, request(data): Promise<reply>, close() }
// (`options`: Lifeline's connect options, for the scenarios that change its reconnect delays).
// `server` names the server kind the client talks to. Every client runs over `ws` in Node.
import { connect } from '@lifeline/core'
import { io } from 'socket.io-client'
import WebSocket from 'ws'

/** Lifeline's `socket.request` against `@lifeline/server`, with the library's defaults. */
function lifeline({ name, label, note, requestOptions }) {
  return {
    name,
    label,
    note,
    server: 'lifeline',
    connect(url, options) {
      const socket = connect(url, { WebSocket, ...options })
      socket.on('error', () => {})
      const ready = new Promise((resolve) => socket.once('open', () => resolve()))
      return {
        ready,
        request: (data) => socket.request('echo', data, requestOptions),
        close: () => socket.dispose(),
        socket,
      }
    },
  }
}

/**
 * socket.io-client against a socket.io Server, WebSocket transport only on both sides (so no
 * long-polling phase and upgrade), otherwise the defaults (reconnection on, delay 1 s ± 50 %).
 * `ask(socket, data)` is how the request is written.
 */
function socketIo({ name, label, note, ask }) {
  return {
    name,
    label,
    note,
    server: 'socket.io',
    connect(url) {
      const socket = io(url.replace(/^ws/, 'http'), { transports: ['websocket'], forceNew: true })
      const ready = new Promise((resolve) => socket.once('connect', () => resolve()))
      return { ready, request: (data) => ask(socket, data), close: () => socket.close() }
    },
  }
}

/**
 * Bare ws: the same JSON as Lifeline (`{"type","data","id"}`, replies `{"re","data"}`), ids from
 * a counter, a Map of pending promises. What ten lines of code get: no reconnect, no timeout, a
 * send on a closed socket goes nowhere (ws drops it without a callback).
 */
const wsRpc = {
  name: 'ws',
  label: 'bare ws',
  note: 'request/reply by hand: no reconnect, no timeout',
  server: 'ws-rpc',
  connect(url) {
    const ws = new WebSocket(url)
    const pending = new Map()
    let nextId = 0
    ws.on('error', () => {})
    ws.on('message', (raw) => {
      const { re, data } = JSON.parse(raw.toString())
      const resolve = pending.get(re)
      pending.delete(re)
      resolve?.(data)
    })
    const ready = new Promise((resolve) => ws.once('open', () => resolve()))
    return {
      ready,
      request: (data) =>
        new Promise((resolve) => {
          const id = String(nextId++)
          pending.set(id, resolve)
          ws.send(JSON.stringify({ type: 'echo', data, id }))
        }),
      close: () => ws.terminate(),
    }
  },
}

const TIMEOUT = 10_000

export const rpcClients = {
  ws: wsRpc,
  lifeline: lifeline({
    name: 'lifeline',
    label: 'Lifeline',
    note: '`socket.request(type, data)`: defaults (timeout 10 s, resend on)',
  }),
  lifelineNoResend: lifeline({
    name: 'lifeline-no-resend',
    label: 'Lifeline, `resend: false`',
    note: '`socket.request(type, data, { resend: false })`',
    requestOptions: { resend: false },
  }),
  socketIo: socketIo({
    name: 'socket.io',
    label: 'socket.io',
    note: '`socket.emitWithAck(type, data)`',
    ask: (socket, data) => socket.emitWithAck('echo', data),
  }),
  socketIoTimeout: socketIo({
    name: 'socket.io-timeout',
    label: 'socket.io, `timeout(10 s)`',
    note: `\`socket.timeout(${TIMEOUT}).emitWithAck(type, data)\``,
    ask: (socket, data) => socket.timeout(TIMEOUT).emitWithAck('echo', data),
  }),
  socketIoCallback: socketIo({
    name: 'socket.io-callback',
    label: 'socket.io, ack callback',
    note: '`socket.emit(type, data, (reply) => …)`, the callback form',
    ask: (socket, data) => new Promise((resolve) => socket.emit('echo', data, resolve)),
  }),
}
