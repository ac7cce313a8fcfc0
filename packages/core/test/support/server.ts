import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { Socket as NetSocket } from 'node:net'
import { type Envelope, errorReply, isPing, pongFrame, reply } from '@lifeline/core/protocol'
import WebSocket, { type RawData, WebSocketServer } from 'ws'

export type { Envelope }

/**
 * Answers one request: the value it returns (or resolves with) is the reply's `data`; a throw or
 * a rejection is an error reply `{ code, message }` from the thrown value.
 */
export type Responder = (data: unknown, request: Envelope, connection: ServerConnection) => unknown

/** How a connection ended, seen from the server. */
export interface ServerClose {
  code: number
  reason: string
}

function toBuffer(raw: RawData): Buffer {
  if (Array.isArray(raw)) return Buffer.concat(raw)
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw)
}

/** Gives up on a wait that should have finished long before the test timeout, with a clear message. */
const WAIT_LIMIT = 5000

/** How long a graceful stop waits for clients to answer the close handshake before cutting them. */
const CLOSE_GRACE = 2000

/** One client connection, as the server sees it. */
export class ServerConnection {
  /** 1 for the first connection the server accepted, then 2, 3… */
  readonly id: number
  /** The request path and query of the handshake, e.g. `/live?token=2`. */
  readonly url: string
  readonly ws: WebSocket
  /**
   * Every message received on this connection, in order (pings included). A text frame that
   * is not JSON is kept as `{ type: '(text)', data: text }`, a binary one as `{ type: '(binary)', data: bytes }`.
   */
  readonly messages: Envelope[] = []
  /** How the connection ended; `null` while it is up. */
  closedWith: ServerClose | null = null
  /** Settles once the connection is closed. */
  readonly closed: Promise<ServerClose>

  constructor(id: number, url: string, ws: WebSocket) {
    this.id = id
    this.url = url
    this.ws = ws
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() }
        resolve(this.closedWith)
      })
    })
  }

  /** Whether the connection is open (not closing, not closed). */
  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN
  }

  /** Sends one envelope to the client. */
  send(message: Envelope): void {
    this.ws.send(JSON.stringify(message))
  }

  /** Starts the close handshake with `code`; resolves when the connection is closed. */
  close(code: number, reason = ''): Promise<ServerClose> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      this.ws.close(code, reason)
    }
    return this.closed
  }
}

/** Handles a message before the default behaviour; return `true` to skip the default. */
export type MessageHook = (message: Envelope, connection: ServerConnection) => boolean | undefined

/**
 * A `ws` server on 127.0.0.1 that speaks Lifeline's JSON envelope: it answers `ping` with
 * `pong`, echoes `chat`, answers the requests given to {@link TestServer.respond} (deduped by
 * id), and records every handshake, connection and message. It can crash,
 * restart gracefully on the same port, and close clients with any code. `close()` leaves no
 * server, socket or timer behind.
 */
export class TestServer {
  /** The request path and query of every handshake (upgrade request), in order. */
  readonly handshakes: string[] = []
  /**
   * The `Sec-WebSocket-Protocol` header of every handshake as `a,b`, `''` when absent. Spaces
   * around the commas are dropped: `ws` sends `a,b`, the standard WebSocket of Node 22+, Bun
   * and Deno sends `a, b`, and the header means the same either way.
   */
  readonly handshakeProtocols: string[] = []
  /** Every connection accepted, oldest first. */
  readonly connections: ServerConnection[] = []
  /** Every message received on any connection, in arrival order. */
  readonly received: Envelope[] = []
  /** The most connections that were open at the same moment. */
  maxOpen = 0
  /** Answer `ping` with `pong` (turn off to play a server that stopped answering). */
  pong = true
  /** Runs on every message before the default behaviour. */
  onMessage: MessageHook | undefined
  /** Runs on every connection accepted, e.g. to close it at once and play a flapping server. */
  onConnection: ((connection: ServerConnection) => void) | undefined
  /**
   * How many times each request's responder ran, by request id: 1 for every id answered, since
   * the server dedupes (see {@link TestServer.respond}).
   */
  readonly handled = new Map<string, number>()

  readonly #responders = new Map<string, Responder>()
  /** The first reply to each request id, sent again for a duplicate. */
  readonly #answers = new Map<string, Promise<Envelope>>()

  readonly #wss = new WebSocketServer({ noServer: true, clientTracking: false })
  /** Raw TCP sockets of every listen period, until they close. */
  readonly #sockets = new Set<NetSocket>()
  readonly #upgraded = new WeakSet<NetSocket>()
  readonly #waiters = new Set<() => void>()
  #http: Server | null = null
  #port = 0
  #closed = false

  /** Starts a server on 127.0.0.1 on a free port. */
  static async start(): Promise<TestServer> {
    const server = new TestServer()
    await server.start()
    return server
  }

  get port(): number {
    return this.#port
  }

  /** Whether the server accepts connections now. */
  get listening(): boolean {
    return this.#http !== null
  }

  /** The connections open now. */
  get open(): ServerConnection[] {
    return this.connections.filter((c) => c.isOpen)
  }

  /** The newest connection; throws when there is none. */
  get last(): ServerConnection {
    const last = this.connections.at(-1)
    if (!last) throw new Error('the server has accepted no connection yet')
    return last
  }

  /** A `ws:` URL to this server. */
  url(path = '/'): string {
    return `ws://127.0.0.1:${this.#port}${path}`
  }

  /** Every message of `type` received on any connection, in arrival order. */
  messagesOf(type: string): Envelope[] {
    return this.received.filter((m) => m.type === type)
  }

  /** Every reply (`{ re: id, … }`) to the request `id` the client sent, in arrival order. */
  repliesTo(id: string): Envelope[] {
    return this.received.filter((m) => m.re === id)
  }

  /** Every copy of the request `id` received, on any connection, in arrival order. */
  copiesOf(id: string): Envelope[] {
    return this.received.filter((m) => m.id === id && m.re === undefined)
  }

  /**
   * Answers requests (envelopes with an `id`) of `type` with `responder`, on the connection each
   * copy arrived on. Like a server that follows the protocol, it dedupes by id: a copy of a
   * request already seen (a resend after a dropped link) gets the first reply again, and the
   * responder does not run twice. Requests of a type with no responder are left unanswered.
   */
  respond(type: string, responder: Responder): void {
    this.#responders.set(type, responder)
  }

  #answer(request: Envelope & { id: string }, connection: ServerConnection, responder: Responder): void {
    let answer = this.#answers.get(request.id)
    if (!answer) {
      this.handled.set(request.id, (this.handled.get(request.id) ?? 0) + 1)
      answer = new Promise((resolve) => resolve(responder(request.data, request, connection))).then(
        (data) => reply(request.id, data),
        (thrown: { code?: unknown; message?: unknown }) =>
          errorReply(request.id, { code: thrown?.code, message: String(thrown?.message ?? thrown) }),
      )
      this.#answers.set(request.id, answer)
    }
    // A reply for a connection that ended meanwhile is lost with it, as on a real server.
    void answer.then((reply) => {
      if (connection.isOpen) connection.send(reply)
    })
  }

  /** Listens (again): on a free port the first time, on the same port afterwards. */
  async start(): Promise<void> {
    if (this.#closed) throw new Error('this server was closed')
    if (this.#http) return
    const http = createServer((_req, res) => res.writeHead(426).end())
    http.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.once('close', () => this.#sockets.delete(socket))
    })
    http.on('upgrade', (req, socket, head) => this.#upgrade(http, req, socket as NetSocket, head))
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject)
      http.listen({ port: this.#port, host: '127.0.0.1' }, () => {
        http.off('error', reject)
        resolve()
      })
    })
    const address = http.address()
    if (address === null || typeof address === 'string') throw new Error('the server has no TCP address')
    this.#port = address.port
    this.#http = http
    this.#changed()
  }

  /**
   * A graceful stop: stops accepting, closes every client with `code` (1001 going away by
   * default) and resolves once every connection has ended. Clients that do not finish the
   * close handshake within 2 s are cut.
   */
  async stop(code = 1001, reason = 'going away'): Promise<void> {
    const http = this.#http
    if (!http) return
    this.#http = null
    const ended = new Promise<void>((resolve) => http.close(() => resolve()))
    for (const socket of this.#sockets) if (!this.#upgraded.has(socket)) socket.destroy()
    for (const connection of this.open) connection.ws.close(code, reason)
    const guard = setTimeout(() => this.#destroySockets(), CLOSE_GRACE)
    await ended
    clearTimeout(guard)
    this.#changed()
  }

  /** A graceful restart on the same port: `stop(code)`, then `start()`. */
  async restart(code = 1001, reason = 'going away'): Promise<void> {
    await this.stop(code, reason)
    await this.start()
  }

  /** Destroys every client's TCP socket without a close frame; keeps listening. */
  dropConnections(): void {
    this.#destroySockets()
  }

  /** Like a process that died: every socket destroyed without a close frame, and nothing listening. */
  async crash(): Promise<void> {
    const http = this.#http
    this.#http = null
    this.#destroySockets()
    if (http) await new Promise<void>((resolve) => http.close(() => resolve()))
    this.#changed()
  }

  /** Starts the close handshake with `code` on every open connection; resolves when they are closed. */
  async closeAll(code: number, reason = ''): Promise<void> {
    await Promise.all(this.open.map((c) => c.close(code, reason)))
  }

  /** Stops everything for good. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    await this.crash()
    this.#closed = true
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()))
    for (const wake of this.#waiters) wake()
  }

  /**
   * Resolves once `predicate()` holds, checking after every handshake, connection, message
   * and close. Rejects after 5 s with `what` in the message, so a stuck test says what it waited for.
   */
  until(predicate: () => boolean, what = 'a server condition'): Promise<void> {
    if (predicate()) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (this.#closed) {
          done()
          reject(new Error(`the server closed while waiting for ${what}`))
        } else if (predicate()) {
          done()
          resolve()
        }
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`timed out after ${WAIT_LIMIT} ms waiting for ${what}`))
      }, WAIT_LIMIT)
      const done = () => {
        clearTimeout(timer)
        this.#waiters.delete(check)
      }
      this.#waiters.add(check)
    })
  }

  /** Resolves with the next connection the server accepts. */
  async nextConnection(): Promise<ServerConnection> {
    const count = this.connections.length
    await this.until(() => this.connections.length > count, 'a new connection')
    return this.connections[count] as ServerConnection
  }

  #upgrade(http: Server, req: IncomingMessage, socket: NetSocket, head: Buffer): void {
    this.handshakes.push(req.url ?? '/')
    const protocols = req.headers['sec-websocket-protocol'] ?? ''
    this.handshakeProtocols.push(protocols.split(/\s*,\s*/).join(','))
    this.#changed()
    // A handshake that reaches a server already stopping is refused like a dead process would.
    if (this.#http !== http) return void socket.destroy()
    this.#upgraded.add(socket)
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, req))
  }

  #accept(ws: WebSocket, req: IncomingMessage): void {
    const connection = new ServerConnection(this.connections.length + 1, req.url ?? '/', ws)
    this.connections.push(connection)
    this.maxOpen = Math.max(this.maxOpen, this.open.length)
    ws.on('error', () => {}) // a reset client is an expected event here, not a crash of the test run
    ws.on('message', (raw, isBinary) => this.#receive(connection, raw, isBinary))
    ws.on('close', () => this.#changed())
    this.onConnection?.(connection)
    this.#changed()
  }

  #receive(connection: ServerConnection, raw: RawData, isBinary: boolean): void {
    const text = isBinary ? null : raw.toString()
    let message: Envelope
    if (text === null) message = { type: '(binary)', data: new Uint8Array(toBuffer(raw)) }
    else {
      try {
        message = JSON.parse(text) as Envelope
      } catch {
        message = { type: '(text)', data: text }
      }
    }
    connection.messages.push(message)
    this.received.push(message)
    if (this.onMessage?.(message, connection) !== true) {
      const responder = typeof message.id === 'string' && this.#responders.get(message.type as string)
      if (responder) this.#answer(message as Envelope & { id: string }, connection, responder)
      else if (isPing(message) && this.pong) connection.ws.send(pongFrame(message))
      else if (message.type === 'chat') connection.ws.send(text as string)
    }
    this.#changed()
  }

  #destroySockets(): void {
    for (const socket of this.#sockets) socket.destroy()
  }

  #changed(): void {
    for (const check of [...this.#waiters]) check()
  }
}
