// The channel servers of the channels scenarios, run in a child process of their own (started by
// ./channelControl.mjs), so its CPU time is the server's and the clients' is theirs. Each server
// listens on 127.0.0.1, and behind a cut proxy (./cutProxy.mjs) in this process, so the
// publisher, the cuts and the server share one event loop and a cut falls at the same place in
// the publication sequence in every run. Clients that need no cuts connect to the server's own
// port (`directPort`), so the proxy's work is not charged to the server.
//   lifeline   @lifeline/server's `attach` on a ws WebSocketServer; `hub.publish(channel, data)`;
//              `presence` passed to `attach` as it is
//   socket.io  a socket.io Server, WebSocket transport only; a client joins the room named in its
//              `auth.room` when it connects; `io.to(room).emit('pub', data)`. With `recovery`,
//              connection state recovery is on (`connectionStateRecovery: {}`: its defaults).
// A publication's data is `{ n, text }`, `n` counting from 1 in each channel or room.
import { createServer } from 'node:http'
import { attach } from '@lifeline/server'
import { Server as SocketIoServer } from 'socket.io'
import { WebSocketServer } from 'ws'
import { TEXT } from './asking.mjs'
import { now } from './clock.mjs'
import { startCutProxy } from './cutProxy.mjs'
import { serveCommands } from './serveCommands.mjs'

/** name -> { kind, publish(channel, data), peers(): number, stats(), proxy, counters, close() } */
const servers = new Map()

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function lifelineServer(http, { history, presence }) {
  const hub = attach(new WebSocketServer({ server: http }), { heartbeat: false, history, presence })
  hub.on('error', () => {})
  let peers = 0
  hub.on('connection', (peer) => {
    peers++
    peer.on('close', () => peers--)
  })
  return {
    publish: (channel, data) => hub.publish(channel, data),
    peers: () => peers,
    stats: () => hub.stats(),
    stop: () => hub.close(),
  }
}

function socketIoServer(http, { recovery }) {
  const io = new SocketIoServer(http, {
    transports: ['websocket'],
    serveClient: false,
    ...(recovery && { connectionStateRecovery: {} }),
  })
  const counts = { connections: 0, recovered: 0 }
  io.on('connection', (socket) => {
    counts.connections++
    if (socket.recovered) counts.recovered++
    // Joined on every connection, as an app does: a recovered socket is in its rooms already.
    const room = socket.handshake.auth?.room
    if (typeof room === 'string') socket.join(room)
  })
  return {
    publish: (channel, data) => {
      io.to(channel).emit('pub', data)
    },
    peers: () => io.of('/').sockets.size,
    stats: () => ({ ...counts }),
    stop: () => new Promise((resolve) => io.close(() => resolve())),
  }
}

const kinds = { lifeline: lifelineServer, 'socket.io': socketIoServer }

/** Starts a server of `kind` behind a cut proxy; resolves with the proxy's port and the server's own. */
async function listen(name, kind, options = {}) {
  const http = createServer((_, res) => res.writeHead(404).end())
  const server = kinds[kind](http, options)
  await new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen(0, '127.0.0.1', resolve)
  })
  const proxy = await startCutProxy(http.address().port)
  servers.set(name, {
    ...server,
    kind,
    proxy,
    counters: new Map(),
    close: async () => {
      await proxy.close()
      await server.stop()
      http.closeAllConnections?.()
      await new Promise((resolve) => (http.listening ? http.close(() => resolve()) : resolve()))
    },
  })
  return { port: proxy.port, directPort: http.address().port }
}

const entry = (name) => {
  const server = servers.get(name)
  if (!server) throw new Error(`no channel server ${name}`)
  return server
}

/** The next `n` of a channel: publications are numbered from 1 in each. */
function next(server, channel) {
  const n = (server.counters.get(channel) ?? 0) + 1
  server.counters.set(channel, n)
  return n
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

/**
 * Publishes `count` publications into `channel` now, one after the other (each awaited for
 * Lifeline): all in this turn of the event loop, or with `turns`, each in a turn of its own (as
 * publications made by separate events are), so nothing is written together that would not be.
 */
async function burst(name, channel, count, { turns = false } = {}) {
  const server = entry(name)
  for (let i = 0; i < count; i++) {
    if (turns && i > 0) await turn()
    await server.publish(channel, { n: next(server, channel), text: TEXT })
  }
  return { last: server.counters.get(channel) }
}

/**
 * `count` publications at `rate`/s: `rate / 1000 * tickMs` of them every `tickMs`, paced from the
 * start (a late tick catches up). With `cutEvery`, the proxy cuts every connection after every
 * `cutEvery`-th publication, `firstCut` the first (so the cuts fall at the same publications in
 * every run: every 400th at 2,000/s is every 200 ms). Resolves with the cuts made and how long it took.
 */
async function stream(name, channel, { count, rate, tickMs = 5, cutEvery = 0, firstCut = 0 }) {
  const server = entry(name)
  const start = performance.now()
  let published = 0
  let cuts = 0
  let connectionsCut = 0
  while (published < count) {
    const due = Math.min(count, Math.floor(((performance.now() - start) / 1000) * rate) + 1)
    while (published < due) {
      await server.publish(channel, { n: next(server, channel), text: TEXT })
      published++
      if (cutEvery && published >= firstCut && (published - firstCut) % cutEvery === 0 && published < count) {
        connectionsCut += server.proxy.cut()
        cuts++
      }
    }
    if (published < count) await sleep(tickMs)
  }
  return { published, cuts, connectionsCut, ms: performance.now() - start }
}

/**
 * The client goes away and `count` publications are made while it is away: new connections are
 * refused, every connection is cut, and once the server has seen its peers go (at most
 * `waitMs`) the publications are made; then connections are let through again. Resolves with
 * the server's peers left when the publications began (0: it had seen the drop).
 */
async function away(name, channel, count, waitMs = 2000) {
  const server = entry(name)
  server.proxy.refuse()
  server.proxy.cut()
  const until = performance.now() + waitMs
  while (server.peers() > 0 && performance.now() < until) await sleep(2)
  const peersLeft = server.peers()
  await burst(name, channel, count)
  server.proxy.forward()
  return { peersLeft, last: server.counters.get(channel), forwardedAt: now() }
}

/** Cuts every connection through the proxy now. */
const cut = (name) => entry(name).proxy.cut()

/** What a server saw: peers connected now, connections through its proxy, its own counts. */
function info(name) {
  const server = entry(name)
  return {
    peers: server.peers(),
    accepted: server.proxy.accepted(),
    cuts: server.proxy.cuts(),
    stats: server.stats(),
  }
}

async function down(name) {
  const server = servers.get(name)
  servers.delete(name)
  await server?.close()
}

/** This process's CPU time so far, in µs (`process.cpuUsage()`). */
const cpu = () => process.cpuUsage()

serveCommands({ listen, burst, stream, away, cut, info, down, cpu })
