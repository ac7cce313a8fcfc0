// Samples of docs/server.md. Each region is pasted into the guide as it is.
import { createServer } from 'node:http'
import { connect } from '@lifeline/core'
import {
  type Adapter,
  attach,
  type Broker,
  type BrokerHost,
  type Hub,
  isLifelineServerError,
  memoryAdapter,
  type Peer,
  type Publication,
} from '@lifeline/server'
import { collectHubMetrics } from '@lifeline/server/metrics'
import { redisAdapter } from '@lifeline/server/redis'
import { register } from 'prom-client'
import WebSocket, { WebSocketServer } from 'ws'

// #region types
// shared/protocol.ts: imported by the client and by the server
export interface ClientMessages {
  chat: { text: string }
  getUser: { id: string }
}
export interface ServerMessages {
  chat: { from: string; text: string }
  confirm: { text: string }
}
export interface Replies {
  getUser: { name: string }
}
export interface ClientReplies {
  confirm: boolean
}
// #endregion

declare const db: { user(id: string): Promise<{ name: string } | undefined> }
declare function verify(token: string | null): { id: string; name: string } | null
declare const log: { error(...args: unknown[]): void; info(...args: unknown[]): void }
declare const order: { id: string; owner: string }
declare function userOf(request: import('node:http').IncomingMessage): string
declare const metrics: { gauge(name: string, value: number): void }
declare const SEARCH: string
declare const sessions: { userOf(cookie: string | undefined): Promise<string> }
type In = ClientMessages
type Out = ServerMessages
declare const bus: {
  publish(publication: Publication): void
  subscribe(listener: (publication: Publication) => void): void
}

export function quickStart() {
  // #region attach
  const wss = new WebSocketServer({ port: 8080 })
  const hub = attach<ClientMessages, ServerMessages, Replies, ClientReplies>(wss)

  hub.on('connection', (peer) => {
    peer.on('chat', ({ text }) => hub.broadcast('chat', { from: 'someone', text }))
    peer.handle('getUser', async ({ id }) => {
      const user = await db.user(id)
      if (!user) throw Object.assign(new Error(`no user ${id}`), { code: 'NOT_FOUND' })
      return user // typed by Replies: { name: string }
    })
  })
  // #endregion
  return hub
}

export async function client() {
  // #region client
  const socket = connect<ServerMessages, ClientMessages, Replies>('ws://127.0.0.1:8080/live', {
    WebSocket, // Node 20; browsers have their own
    heartbeat: true,
  })
  socket.on('chat', ({ from, text }) => console.log(`${from}: ${text}`))
  const user = await socket.request('getUser', { id: '42' }) // { name: string }
  socket.handle('confirm', ({ text }) => text.length < 100) // answers peer.request('confirm')
  // #endregion
  return user
}

export function messages(hub: Hub<ClientMessages, ServerMessages, Replies, ClientReplies>) {
  // #region messages
  hub.on('connection', (peer, request) => {
    const user = verify(new URL(request.url ?? '/', 'http://localhost').searchParams.get('token'))
    // 44xx: a Lifeline client does not retry. (An HTTP 401 on the handshake would look like a
    // dropped connection to a browser, and be retried.)
    if (!user) return peer.close(4401, 'unauthorized')

    peer.on('chat', ({ text }) => {
      // Everyone on every instance, except the sender, who shows its own message already.
      hub.broadcast('chat', { from: user.name, text }, { except: peer })
    })
    peer.on('close', ({ code }) => console.log(`${user.name} left (${code})`))
    peer.send('chat', { from: 'server', text: `welcome, ${user.name}` })
  })
  // #endregion
}

export function requestsToClients(peer: Peer<ClientMessages, ServerMessages, Replies, ClientReplies>) {
  // #region ask-client
  async function confirmDelete(): Promise<boolean> {
    try {
      return await peer.request('confirm', { text: 'Delete the board?' }, { timeout: 30_000 })
    } catch (error) {
      // REQUEST_TIMEOUT, REQUEST_FAILED (its handler threw), REQUEST_LOST (it left), REQUEST_ABORTED
      if (isLifelineServerError(error) && error.code === 'REQUEST_TIMEOUT') log.error('no answer in 30 s')
      return false
    }
  }
  // #endregion
  return confirmDelete
}

export function options(wss: WebSocketServer) {
  // #region options
  const hub = attach(wss, {
    dedupe: { ttl: 5 * 60_000, max: 10_000 }, // the defaults
    heartbeat: { interval: 30_000 }, // ws pings; a peer that did not answer the last one is cut
    maxMessageBytes: 1_048_576, // a larger frame closes its connection with 1009
    requestTimeout: 10_000, // the default timeout of peer.request
    // What a client sees when a handler throws: hide what it should not see, log the rest.
    formatError: (error, request) => {
      const code = (error as { code?: unknown }).code
      if (typeof code === 'string') return { code, message: (error as Error).message }
      log.error(`${request.type} ${request.id} failed`, error)
      return { code: 'INTERNAL', message: 'something went wrong' }
    },
  })
  // #endregion
  return hub
}

export function handlerSignal(peer: Peer<{ search: { q: string } }, {}, { search: { hits: string[] } }>) {
  // #region handler-signal
  peer.handle('search', async ({ q }, { signal }) => {
    const response = await fetch(`${SEARCH}?q=${encodeURIComponent(q)}`, { signal })
    return response.json()
  })
  // #endregion
}

export function production(server: import('node:http').Server) {
  // #region production
  const hub = attach<In, Out, Replies, {}, { userId: string }>(new WebSocketServer({ server, maxPayload: 1_048_576 }), {
    origins: ['https://app.example.com'],
    onConnection: async (peer, request) => {
      peer.data = { userId: await sessions.userOf(request.headers.cookie) } // scopes the dedupe window too
    },
  })
  // #endregion
  return hub
}

export function deploy(hub: Hub, wss: WebSocketServer) {
  // #region deploy
  process.on('SIGTERM', async () => {
    await hub.close({ drain: 10_000 }) // the fleet comes back over 10 s
    wss.close()
  })
  // #endregion
}

export function prometheus(hub: Hub) {
  // #region metrics
  // import { register } from 'prom-client'
  // import { collectHubMetrics } from '@lifeline/server/metrics'
  collectHubMetrics(hub) // lifeline_* metrics in prom-client's default registry, read from hub.stats() at each scrape
  createServer(async (request, response) => {
    if (request.url !== '/metrics') return void response.writeHead(404).end()
    response.setHeader('Content-Type', register.contentType)
    response.end(await register.metrics())
  }).listen(9464, '127.0.0.1') // scraped by Prometheus, not open to the internet
  // #endregion
}

export function scoped(wss: WebSocketServer) {
  // #region dedupe-key
  const users = new WeakMap<Peer, string>()
  const hub = attach(wss, {
    // A resend comes from the same user on a new connection: key the window by user and id.
    dedupe: { key: (request, peer) => `${users.get(peer)}:${request.id}` },
  })
  // #endregion
  return hub
}

export function observe(hub: Hub) {
  // #region stats
  hub.on('error', (error) => log.error(error.code, error.message, error.cause))
  setInterval(() => {
    const { peers, requests, duplicates, badFrames } = hub.stats()
    metrics.gauge('ws.peers', peers)
    metrics.gauge('ws.requests', requests)
    metrics.gauge('ws.duplicates', duplicates) // requests answered from the dedupe window
    metrics.gauge('ws.bad_frames', badFrames) // not JSON, not an envelope, or too large
  }, 10_000)
  // #endregion
}

export async function redis() {
  // #region redis
  const wss = new WebSocketServer({ port: Number(process.env.PORT) })
  const hub = attach(wss, { adapter: redisAdapter({ url: process.env.REDIS_URL }) })
  await hub.ready // subscribed: broadcasts from the other instances arrive from now on
  // #endregion
  return hub
}

export function shutdown(hub: Hub, wss: WebSocketServer) {
  // #region shutdown
  process.on('SIGTERM', async () => {
    // 1012 service restart, spread over 10 s: Lifeline clients reconnect, to another instance, and
    // resend what is unanswered.
    await hub.close({ drain: 10_000 })
    wss.close()
  })
  // #endregion
}

export function withHttp() {
  // #region http
  const server = createServer((_request, response) => response.end('ok'))
  const wss = new WebSocketServer({ noServer: true })
  const hub = attach(wss)

  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/live') return socket.destroy()
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
  })
  server.listen(8080)
  // #endregion
  return hub
}

export function peerData(wss: WebSocketServer) {
  // #region peer-data
  const hub = attach<ClientMessages, ServerMessages, Replies, ClientReplies, { user: string }>(wss)
  hub.on('connection', (peer, request) => {
    peer.data = { user: userOf(request) }
  })
  // #endregion
  return hub
}

export async function channels(wss: WebSocketServer) {
  // #region channels
  const hub = attach<ClientMessages, ServerMessages, Replies, {}, { user: string }>(wss, {
    // The defaults: per channel at most 1,000 publications kept 5 minutes, its position a day.
    history: { size: 1000, ttl: 300_000, positionTtl: 86_400_000 },
    maxChannels: 100, // per peer (the default); a join past it is refused
    // `user:<id>` is joined by that user alone and published into by the server alone.
    authorize: (peer, channel, action) =>
      !channel.startsWith('user:') || (action === 'join' && channel === `user:${peer.data.user}`),
  })
  hub.on('connection', (peer, request) => {
    peer.data = { user: userOf(request) }
  })
  hub.on('join', (peer, channel) => log.info(`${peer.data.user} joined ${channel}`))
  hub.on('leave', (peer, channel) => log.info(`${peer.data.user} left ${channel}`))

  // From the server: an order's status to its owner, kept for recovery like any publication.
  const { epoch, offset } = await hub.publish(`user:${order.owner}`, { order: order.id, status: 'shipped' })
  // #endregion
  return { hub, epoch, offset }
}

export function customAdapter(): Adapter {
  // #region adapter
  // Dedupe and history in this process, publications through a bus of yours that does not echo
  // a sender's own messages.
  function busBroker(bus: {
    publish(publication: Publication): void
    subscribe(listener: (publication: Publication) => void): void
  }): Broker {
    let host: BrokerHost | null = null
    return {
      start(given) {
        host = given
        bus.subscribe((publication) => host?.deliver(publication))
      },
      publish(publication) {
        host?.deliver(publication) // this instance's peers, at once
        bus.publish(publication) // the other instances'
      },
      close() {
        host = null
      },
    }
  }
  const adapter = { ...memoryAdapter(), broker: busBroker(bus) }
  // #endregion
  return adapter
}
