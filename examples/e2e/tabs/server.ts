// The server of the tabs browser tests: serves the harness page and the built bundles, and speaks
// the JSON envelope on /live with a `ws` server that counts its connections, logs every frame,
// answers requests (each id handled once, as @lifeline/server dedupes), and can be taken down.
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { buildSync } from 'esbuild'
import { type WebSocket, WebSocketServer } from 'ws'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const DIST = here('../../../packages/core/dist/')

/** What the server received: the envelope, and which connection (1, 2, …) it came on. */
export interface Received {
  type?: string
  data?: unknown
  id?: string
  connection: number
}

export interface TabsServer {
  /** The harness page for `?ws=…&…` (`query` is added). */
  page(query?: string): string
  /** WebSockets open now, and opened in all. */
  readonly open: number
  readonly opened: number
  /** When each connection opened (Date.now()). */
  readonly openedAt: number[]
  /** Each connection (1, 2, …, as `connections[n - 1]`): when it opened and closed at the server (`performance.now()`). */
  readonly connections: Array<{ opened: number; closed?: number; code?: number }>
  received: Received[]
  /** Sends `{ type, data }` to every connection. */
  broadcast(type: string, data?: unknown): void
  /** Requests get no reply until `hold(false)`, which answers every one held on the connections open then. */
  hold(on: boolean): void
  /** Stops reading the connections open now (their clients' send buffers fill up), or reads them again. */
  pause(on: boolean): void
  /** Refuses connections and drops the open ones, as a server that is down. */
  down(): void
  up(): void
  close(): Promise<void>
}

// The harness loads webStorageQueue from the core bundle once it exports it; until then, from source.
const store = buildSync({
  entryPoints: [here('../../../packages/core/src/webStorageQueue.ts')],
  bundle: true,
  format: 'iife',
  globalName: 'LifelineStore',
  write: false,
  logLevel: 'error',
}).outputFiles[0]?.text

export async function startTabsServer(): Promise<TabsServer> {
  const files: Record<string, [string, () => Promise<string | Buffer>]> = {
    '/': ['text/html', () => readFile(here('harness.html'))],
    '/harness.js': ['text/javascript', () => readFile(here('harness.js'))],
    '/store.js': ['text/javascript', async () => store ?? ''],
    '/lifeline.iife.min.js': ['text/javascript', () => readFile(`${DIST}lifeline.iife.min.js`)],
    '/lifeline-tabs.iife.min.js': ['text/javascript', () => readFile(`${DIST}lifeline-tabs.iife.min.js`)],
  }
  const http = createServer(async (req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname]
    if (!file) return res.writeHead(404).end()
    try {
      res.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(await file[1]())
    } catch {
      res.writeHead(500).end()
    }
  })
  const wss = new WebSocketServer({ noServer: true })
  const sockets = new Set<WebSocket>()
  const held = new Map<string, unknown>()
  let isDown = false
  let holding = false
  const server = {
    opened: 0,
    openedAt: [] as number[],
    connections: [] as Array<{ opened: number; closed?: number; code?: number }>,
    received: [] as Received[],
  }

  const answer = (ws: WebSocket, id: string, data: unknown) => ws.send(JSON.stringify({ re: id, data: { echo: data } }))

  http.on('upgrade', (req, socket, head) => {
    if (isDown) return socket.destroy()
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = ++server.opened
      server.openedAt.push(Date.now())
      const times: (typeof server.connections)[number] = { opened: performance.now() }
      server.connections.push(times)
      sockets.add(ws)
      ws.on('close', (code) => {
        sockets.delete(ws)
        times.closed = performance.now()
        times.code = code
      })
      ws.on('message', (raw) => {
        const message = JSON.parse(String(raw)) as Received
        server.received.push({ ...message, connection })
        if (message.type === 'ping') return ws.send(JSON.stringify({ type: 'pong' }))
        if (typeof message.id !== 'string' || !message.type) return
        if (holding) held.set(message.id, message.data)
        else answer(ws, message.id, message.data)
      })
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  const wsUrl = `ws://127.0.0.1:${port}/live`

  return {
    ...server,
    get opened() {
      return server.opened
    },
    get open() {
      return sockets.size
    },
    page: (query = '') => `http://127.0.0.1:${port}/?ws=${encodeURIComponent(wsUrl)}${query ? `&${query}` : ''}`,
    broadcast(type, data) {
      for (const ws of sockets) ws.send(JSON.stringify({ type, data }))
    },
    hold(on) {
      holding = on
      if (on) return
      for (const [id, data] of held) for (const ws of sockets) answer(ws, id, data)
      held.clear()
    },
    pause(on) {
      for (const ws of sockets) {
        const tcp = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
        on ? tcp.pause() : tcp.resume()
      }
    },
    down() {
      isDown = true
      for (const ws of sockets) ws.terminate()
    },
    up() {
      isDown = false
    },
    async close() {
      for (const ws of sockets) ws.terminate()
      wss.close()
      const closed = new Promise<void>((resolve) => http.close(() => resolve()))
      // The browser keeps idle connections of its pool open after the pages closed: closing waits for none.
      http.closeAllConnections()
      await closed
    },
  }
}
