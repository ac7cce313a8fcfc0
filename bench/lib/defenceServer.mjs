// The servers of the defences scenario (../scenarios/defences.mjs), in a child process of their
// own (started by ./defenceControl.mjs) with --expose-gc, so its event loop, memory and CPU are
// the server's alone. Each server listens on 127.0.0.1, port 0, and records the time of every
// handshake (the shared clock of ./clock.mjs).
//   lifeline   @lifeline/server's `attach` on a ws WebSocketServer, its defaults unless told
//              otherwise; answers `echo` requests; `hub.broadcast('chat', data)`
//   socket.io  a socket.io Server, WebSocket transport only, the server's defaults; `io.emit('chat', data)`
import { createServer } from 'node:http'
import { attach } from '@lifeline/server'
import { Server as SocketIoServer } from 'socket.io'
import { WebSocketServer } from 'ws'
import { now } from './clock.mjs'
import { serveCommands } from './serveCommands.mjs'

/** name -> { kind, hub?, io?, handshakes: number[], broadcast(data), close(options) } */
const servers = new Map()

const turn = () => new Promise((resolve) => setImmediate(resolve))

function lifelineServer(http, options) {
  const wss = new WebSocketServer({ server: http })
  const hub = attach(wss, options)
  hub.on('error', () => {})
  hub.on('connection', (peer) => peer.handle('echo', (data) => data))
  return {
    wss,
    hub,
    broadcast: (data) => hub.broadcast('chat', data),
    peers: () => hub.stats().peers,
    stats: () => hub.stats(),
    close: async ({ drain = 0 } = {}) => {
      await hub.close({ drain })
      for (const ws of wss.clients) ws.terminate()
      await new Promise((resolve) => wss.close(resolve))
    },
  }
}

function socketIoServer(http) {
  const io = new SocketIoServer(http, { transports: ['websocket'], serveClient: false })
  return {
    io,
    broadcast: (data) => io.emit('chat', data),
    peers: () => io.of('/').sockets.size,
    stats: () => ({ peers: io.of('/').sockets.size }),
    close: () => new Promise((resolve) => io.close(() => resolve())),
  }
}

const kinds = { lifeline: lifelineServer, 'socket.io': socketIoServer }

/** Starts a server of `kind`; resolves with its port. */
async function listen(name, kind, options = {}) {
  const http = createServer((_, res) => res.writeHead(404).end())
  const server = kinds[kind](http, options)
  const handshakes = []
  http.on('upgrade', () => handshakes.push(now()))
  await new Promise((resolve, reject) => {
    http.once('error', reject)
    http.listen(0, '127.0.0.1', resolve)
  })
  servers.set(name, {
    ...server,
    kind,
    handshakes,
    stop: async (options) => {
      await server.close(options)
      http.closeAllConnections?.()
      await new Promise((resolve) => (http.listening ? http.close(() => resolve()) : resolve()))
    },
  })
  return { port: http.address().port }
}

const entry = (name) => {
  const server = servers.get(name)
  if (!server) throw new Error(`no server ${name}`)
  return server
}

/** The handshakes recorded since the last take, the peers connected now and the server's counts. */
function take(name) {
  const server = entry(name)
  return { handshakes: server.handshakes.splice(0), peers: server.peers(), stats: server.stats() }
}

/**
 * One broadcast of `{ text }` (`bytes` characters) to every peer. `callMs`: the broadcast call
 * itself; `loopMs`: from the call to the next turn of the event loop, the writes it queued for the
 * end of the turn included: how long the server did nothing else. `at`: when it started.
 */
async function broadcastOnce(name, bytes) {
  const server = entry(name)
  const data = { text: 'x'.repeat(bytes) }
  await turn()
  const at = now()
  const start = performance.now()
  server.broadcast(data)
  const callMs = performance.now() - start
  await turn()
  return { at, callMs, loopMs: performance.now() - start }
}

/**
 * Broadcasts `count` frames of about `bytes` each, a turn apart in chunks of 1 MiB, with a full
 * garbage collection after each chunk; resolves with the largest growth of heap + external
 * memory over the start, and the most bytes any one peer had buffered (Lifeline).
 */
async function broadcastVolume(name, count, bytes) {
  const server = entry(name)
  globalThis.gc?.()
  const base = process.memoryUsage()
  const baseline = base.heapUsed + base.external
  let peakGrowth = 0
  /** The most bytes written and not yet sent for any one peer, read after each chunk's writes. */
  let maxBuffered = 0
  const text = 'x'.repeat(bytes)
  const perChunk = Math.max(1, Math.floor(1_048_576 / bytes))
  const start = performance.now()
  for (let sent = 0; sent < count; sent += perChunk) {
    for (let i = sent; i < Math.min(count, sent + perChunk); i++) server.broadcast({ text, n: i })
    for (const peer of server.hub?.peers ?? []) maxBuffered = Math.max(maxBuffered, peer.socket.bufferedAmount)
    await turn()
    globalThis.gc?.()
    const memory = process.memoryUsage()
    peakGrowth = Math.max(peakGrowth, memory.heapUsed + memory.external - baseline)
  }
  return {
    peakGrowth,
    maxBuffered,
    sent: count,
    ms: performance.now() - start,
    gcExposed: typeof globalThis.gc === 'function',
  }
}

/** Closes a server (Lifeline: `hub.close({ drain })`); resolves with when it started and ended. */
async function close(name, options = {}) {
  const server = entry(name)
  servers.delete(name)
  const at = now()
  await server.stop(options)
  return { at, endedAt: now() }
}

async function down(name) {
  const server = servers.get(name)
  servers.delete(name)
  await server?.stop()
}

serveCommands({ listen, take, broadcastOnce, broadcastVolume, close, down })
