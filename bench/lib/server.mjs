// The echo servers, run in a child process so the client's CPU time is its own.
// Controlled over IPC by ./serverControl.mjs; every server binds 127.0.0.1.
//
// Paths: `/collect` records each incoming frame (with its arrival time) and answers nothing;
// any other path echoes every frame. Pings are answered with pongs on every path, in both the
// raw (`ping`) and the JSON envelope (`{"type":"ping"}`) forms.
//
// `listenRpc` starts a request/reply server instead (see ./rpcServers.mjs); it records the data
// of every request its handler ran, which `take` returns as `collected` (with the server's
// `stats`). `cpu` returns this process's CPU time, so a scenario can charge a server its share.
import { memoryAdapter } from '@lifeline/server'
import { WebSocketServer } from 'ws'
import { now } from './clock.mjs'
import { startRpcServer } from './rpcServers.mjs'
import { serveCommands } from './serveCommands.mjs'

const RAW_PING = 'ping'
const JSON_PING = '{"type":"ping"}'

/** name -> { wss, port, handshakes: number[], collected: { at, data }[] } */
const servers = new Map()

function pongFor(data) {
  if (data.length === RAW_PING.length && data.toString() === RAW_PING) return 'pong'
  if (data.length === JSON_PING.length && data.toString() === JSON_PING) return '{"type":"pong"}'
  return null
}

function listen(name, port = 0) {
  const entry = servers.get(name) ?? { wss: null, port: 0, handshakes: [], collected: [] }
  servers.set(name, entry)
  return new Promise((resolve, reject) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port, clientTracking: true })
    wss.once('error', reject)
    wss.once('listening', () => {
      entry.wss = wss
      entry.port = wss.address().port
      resolve({ port: entry.port, at: now() })
    })
    wss.on('connection', (ws, request) => {
      entry.handshakes.push(now())
      ws.on('error', () => {})
      const collect = request.url === '/collect'
      ws.on('message', (data, isBinary) => {
        const pong = isBinary ? null : pongFor(data)
        if (pong) ws.send(pong)
        else if (collect) entry.collected.push({ at: now(), data: data.toString() })
        else ws.send(data, { binary: isBinary })
      })
    })
  })
}

/**
 * A request/reply server of `kind` ('lifeline', 'socket.io', 'ws-rpc'). `keepDedupe`: Lifeline's
 * dedupe window outlives a restart (one adapter for every server of this name, as Redis would be).
 * `flapMs`: every connection is cut every `flapMs` ms.
 */
async function listenRpc(name, kind, port = 0, { workMs = 0, keepDedupe = false, flapMs = 0 } = {}) {
  const entry = servers.get(name) ?? { rpc: null, port: 0, handshakes: [], collected: [], adapter: null }
  servers.set(name, entry)
  if (keepDedupe) entry.adapter ??= memoryAdapter()
  const onRequest = (data) => entry.collected.push({ at: now(), data })
  entry.rpc = await startRpcServer(kind, port, { workMs, onRequest, adapter: entry.adapter, flapMs })
  entry.port = entry.rpc.port
  return { port: entry.port, at: now() }
}

/** Cuts every connection (no close frame: clients see 1006) and stops listening. */
function down(name) {
  const entry = servers.get(name)
  if (entry?.rpc) {
    const { rpc } = entry
    entry.rpc = null
    const at = now()
    return rpc.crash().then(() => ({ at }))
  }
  if (!entry?.wss) return Promise.resolve({ at: now() })
  const { wss } = entry
  entry.wss = null
  const at = now()
  for (const ws of wss.clients) ws.terminate()
  return new Promise((resolve) => wss.close(() => resolve({ at })))
}

/** A flapping request server's next cut in `firstMs`, then every `flapMs` (see ./rpcServers.mjs). */
function reflap(name, firstMs) {
  servers.get(name)?.rpc?.reflap(firstMs)
}

/** Returns and forgets what a server recorded so far. */
function take(name) {
  const entry = servers.get(name)
  if (!entry) return { handshakes: [], collected: [], clients: 0 }
  const clients = entry.rpc ? entry.rpc.clients() : (entry.wss?.clients.size ?? 0)
  const result = { handshakes: entry.handshakes, collected: entry.collected, clients, stats: entry.rpc?.stats() }
  entry.handshakes = []
  entry.collected = []
  return result
}

/** This process's CPU time so far, in µs (`process.cpuUsage()`). */
const cpu = () => process.cpuUsage()

serveCommands({ listen, listenRpc, reflap, down, take, cpu })
