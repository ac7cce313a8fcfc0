// The echo servers, run in a child process so the client's CPU time is its own.
// Controlled over IPC by ./serverControl.mjs; every server binds 127.0.0.1.
//
// Paths: `/collect` records each incoming frame (with its arrival time) and answers nothing;
// any other path echoes every frame. Pings are answered with pongs on every path, in both the
// raw (`ping`) and the JSON envelope (`{"type":"ping"}`) forms.
import { WebSocketServer } from 'ws'
import { now } from './clock.mjs'

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

/** Cuts every connection (no close frame: clients see 1006) and stops listening. */
function down(name) {
  const entry = servers.get(name)
  if (!entry?.wss) return Promise.resolve({ at: now() })
  const { wss } = entry
  entry.wss = null
  const at = now()
  for (const ws of wss.clients) ws.terminate()
  return new Promise((resolve) => wss.close(() => resolve({ at })))
}

/** Returns and forgets what a server recorded so far. */
function take(name) {
  const entry = servers.get(name)
  if (!entry) return { handshakes: [], collected: [], clients: 0 }
  const result = { handshakes: entry.handshakes, collected: entry.collected, clients: entry.wss?.clients.size ?? 0 }
  entry.handshakes = []
  entry.collected = []
  return result
}

const commands = { listen, down, take }

process.on('message', async ({ id, command, args }) => {
  try {
    const result = await commands[command](...args)
    process.send({ id, result })
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) })
  }
})

// The parent going away (even by a crash) ends this process.
process.on('disconnect', () => process.exit(0))
