// The request/reply servers of the requests scenario, run inside ./server.mjs (the server child
// process). Each answers an `echo` request with its data, after `workMs` of pretend work:
//   lifeline   @lifeline/server's `attach` on a ws WebSocketServer: `peer.handle('echo', …)`
//   socket.io  a socket.io Server, WebSocket transport only: `socket.on('echo', (data, ack) => …)`
//   ws-rpc     bare ws speaking the same JSON as Lifeline: {"type","data","id"} in, {"re","data"} out
// All listen on 127.0.0.1 through a node:http server whose TCP sockets are tracked, so `crash()`
// can cut every connection at once, as a server process that dies does (no close frame, no
// socket.io disconnect packet), and stop listening. With `flapMs`, the server cuts every
// connection that way every `flapMs` ms and keeps listening: a link that keeps dying.
import { createServer } from 'node:http'
import { attach } from '@lifeline/server'
import { Server as SocketIoServer } from 'socket.io'
import { WebSocketServer } from 'ws'

const later = (ms, fn) => (ms > 0 ? setTimeout(fn, ms) : fn())

function lifelineServer(http, { workMs, onRequest, adapter }, stats) {
  // No ws-level heartbeat (the clients have none either); no rate limit (the others have none, and
  // a client here makes tens of thousands of requests a second); the dedupe window is the default
  // one, in this server's memory unless an adapter outlives the restart (as Redis would).
  const hub = attach(new WebSocketServer({ server: http }), {
    heartbeat: false,
    rateLimit: false,
    ...(adapter && { adapter }),
  })
  hub.on('error', () => {})
  stats.hub = () => hub.stats()
  hub.on('connection', (peer) => {
    // Answers at once, as the other servers' handlers do: a promise only when there is work to wait for.
    peer.handle('echo', (data) => {
      onRequest(data)
      return workMs > 0 ? new Promise((resolve) => setTimeout(() => resolve(data), workMs)) : data
    })
  })
  return () => hub.close()
}

function socketIoServer(http, { workMs, onRequest }) {
  const io = new SocketIoServer(http, { transports: ['websocket'], serveClient: false })
  io.on('connection', (socket) => {
    socket.on('echo', (data, ack) => {
      onRequest(data)
      if (typeof ack === 'function') later(workMs, () => ack(data))
    })
  })
  return () => new Promise((resolve) => io.close(() => resolve()))
}

function wsRpcServer(http, { workMs, onRequest }) {
  const wss = new WebSocketServer({ server: http })
  wss.on('connection', (ws) => {
    ws.on('error', () => {})
    ws.on('message', (raw) => {
      const { data, id } = JSON.parse(raw.toString())
      onRequest(data)
      later(workMs, () => ws.send(JSON.stringify({ re: id, data })))
    })
  })
  return () => new Promise((resolve) => wss.close(() => resolve()))
}

const kinds = { lifeline: lifelineServer, 'socket.io': socketIoServer, 'ws-rpc': wsRpcServer }

/**
 * @param {'lifeline' | 'socket.io' | 'ws-rpc'} kind
 * @param {number} port 0 for a free one, or the port of the server this one replaces
 * @param {{ workMs: number, onRequest(data): void, adapter?: object, flapMs?: number }} options
 * @returns {Promise<{ port: number, clients(): number, stats(): object, reflap(firstMs: number): void, crash(): Promise<void> }>}
 */
export function startRpcServer(kind, port, options) {
  const make = kinds[kind]
  if (!make) throw new Error(`unknown request server kind ${kind}`)
  const http = createServer((_, res) => res.writeHead(404).end())
  const sockets = new Set()
  http.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  const stats = { cuts: 0, hub: null }
  const stop = make(http, options, stats)
  const cutAll = () => {
    for (const socket of sockets) {
      socket.destroy()
      stats.cuts++
    }
    sockets.clear()
  }
  let flapping = options.flapMs ? setInterval(cutAll, options.flapMs) : null
  let firstCut = null
  const stopFlapping = () => {
    clearTimeout(firstCut)
    clearInterval(flapping)
  }
  return new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen(port, '127.0.0.1', () => {
      resolve({
        port: http.address().port,
        clients: () => sockets.size,
        // `cuts`: connections cut by the flapping; `hub`: @lifeline/server's counts (requests run, duplicates).
        stats: () => ({ cuts: stats.cuts, ...(stats.hub && { hub: stats.hub() }) }),
        /** Starts the cuts over: the next in `firstMs`, then every `flapMs`, so a run of requests begun now meets one soon. */
        reflap(firstMs) {
          if (!options.flapMs) return
          stopFlapping()
          firstCut = setTimeout(() => {
            cutAll()
            flapping = setInterval(cutAll, options.flapMs)
          }, firstMs)
        },
        async crash() {
          stopFlapping()
          cutAll()
          http.closeAllConnections?.()
          await Promise.all([stop(), new Promise((done) => (http.listening ? http.close(() => done()) : done()))])
        },
      })
    })
  })
}
