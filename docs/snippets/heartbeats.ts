// Samples of docs/heartbeats.md. Each region is pasted into the guide as it is.
import { connect, rawCodec } from '@lifeline/core'
import { type WebSocket, WebSocketServer } from 'ws'

declare const latencyLabel: HTMLElement

export function defaults() {
  // #region defaults
  const socket = connect('wss://example.com/live', { heartbeat: true })

  // the same, spelled out
  const same = connect('wss://example.com/live', {
    heartbeat: {
      interval: 25_000, // ping after this much silence (ms)
      timeout: 10_000, // the link is dead if nothing arrives within this long after a ping (ms)
      ping: () => ({ type: 'ping' }), // sent as {"type":"ping"} by the JSON codec
      isPong: (message) => message === 'pong' || (message as { type?: unknown } | null)?.type === 'pong',
    },
  })
  // #endregion
  return [socket, same]
}

export function latency() {
  const socket = connect('wss://example.com/live', { heartbeat: true })
  // #region latency
  socket.on('latency', (ms) => {
    latencyLabel.textContent = `${ms} ms`
  })
  // or, from the snapshot: null until the first pong
  const { latency } = socket.getSnapshot()
  // #endregion
  return latency
}

export function customPing() {
  // #region custom-ping
  // A server that expects {"type":"hb","data":<time>} and answers {"type":"hb:ack"}.
  const socket = connect('wss://example.com/live', {
    heartbeat: {
      interval: 15_000,
      timeout: 5000,
      ping: () => ({ type: 'hb', data: Date.now() }),
      isPong: (message) =>
        typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'hb:ack',
    },
  })
  // #endregion
  return socket
}

export function rawPing() {
  // #region raw-ping
  // rawCodec: the frames themselves. A server that answers the text frame PING with PONG.
  const socket = connect('wss://example.com/feed', {
    codec: rawCodec,
    heartbeat: {
      ping: () => ({ type: 'PING' }), // an envelope: rawCodec sends its type as the text frame
      isPong: (frame) => frame === 'PONG',
    },
  })
  // #endregion
  return socket
}

// #region server
/** A `ws` server that answers Lifeline's pings: {"type":"ping"} with {"type":"pong"}, and "ping" with "pong". */
export function startServer(port: number): WebSocketServer {
  const wss = new WebSocketServer({ port })
  wss.on('connection', (ws) => {
    ws.on('message', (frame, isBinary) => {
      if (isBinary) return handleBinary(ws, frame)
      const text = frame.toString()
      if (text === 'ping') return ws.send('pong') // clients on rawCodec
      let message: { type?: unknown; data?: unknown }
      try {
        message = JSON.parse(text)
      } catch {
        return // not JSON: ignore it
      }
      // Answer before any other work, so a busy handler cannot make a live link look dead.
      if (message?.type === 'ping') return ws.send('{"type":"pong"}')
      handleMessage(ws, message)
    })
  })
  return wss
}
// #endregion

declare function handleBinary(ws: WebSocket, frame: unknown): void
declare function handleMessage(ws: WebSocket, message: { type?: unknown; data?: unknown }): void

export function sweepDeadClients(wss: WebSocketServer) {
  // #region server-sweep
  // Server side: find clients that vanished, with WebSocket protocol pings, which browsers
  // answer on their own. This is independent of Lifeline's heartbeat.
  const alive = new WeakSet<WebSocket>()
  wss.on('connection', (ws) => {
    alive.add(ws)
    ws.on('pong', () => alive.add(ws))
  })
  const sweep = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate()
        continue
      }
      alive.delete(ws)
      ws.ping()
    }
  }, 30_000)
  wss.on('close', () => clearInterval(sweep))
  // #endregion
}
