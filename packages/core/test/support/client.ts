import process from 'node:process'
import WsWebSocket from 'ws'
import {
  type ConnectOptions,
  connect,
  type LifecycleEvents,
  type MessageMap,
  type Snapshot,
  type Socket,
  type Status,
  type WebSocketConstructor,
} from '../../src/index.js'
import { FaultProxy, type ProxyOptions } from './proxy.js'
import { TestServer } from './server.js'

/** The runtime the tests run on. */
export const runtime: 'node' | 'bun' | 'deno' =
  'Deno' in globalThis ? 'deno' : process.versions.bun !== undefined ? 'bun' : 'node'

/**
 * The client WebSocket every integration test drives. `LIFELINE_TEST_WEBSOCKET=global` picks the
 * runtime's own (Node 22+, Bun, Deno), so the same tests prove the core against each; unset, it is
 * `ws`, as on Node 20, which has none. Servers and the fault proxy are `ws` and `node:net` either way.
 */
export const clientWebSocket = chooseClientWebSocket(process.env.LIFELINE_TEST_WEBSOCKET)

function chooseClientWebSocket(choice: string | undefined): {
  /** `'ws'` or `'global'`, as chosen. */
  kind: 'ws' | 'global'
  WebSocket: WebSocketConstructor
  /** Whether the class can drop a connection without a close handshake (`ws` and Bun can). */
  canTerminate: boolean
} {
  if (choice === undefined || choice === '' || choice === 'ws') {
    return { kind: 'ws', WebSocket: WsWebSocket, canTerminate: true }
  }
  if (choice !== 'global') throw new Error(`LIFELINE_TEST_WEBSOCKET must be "ws" or "global", not "${choice}"`)
  // Fail the run rather than quietly fall back to `ws`: the point of the run is the runtime's own class.
  if (typeof globalThis.WebSocket !== 'function') {
    throw new Error(`LIFELINE_TEST_WEBSOCKET=global, but this runtime has no global WebSocket (${process.version})`)
  }
  const WebSocket = globalThis.WebSocket
  const canTerminate = typeof (WebSocket.prototype as { terminate?: unknown }).terminate === 'function'
  return { kind: 'global', WebSocket, canTerminate }
}

/** Gives up on a wait that should have finished long before the test timeout, with a clear message. */
const WAIT_LIMIT = 5000

/** Short timings so reconnects happen in milliseconds. */
export const FAST_RECONNECT = { initialDelay: 20, maxDelay: 200 } as const

/** A heartbeat that notices a dead link within about 200 ms. */
export const FAST_HEARTBEAT = { interval: 100, timeout: 100 } as const

// biome-ignore lint/suspicious/noExplicitAny: accepts a Socket of any message maps.
type Listenable = { on(type: string, handler: (payload: any) => void): () => void }

/**
 * Resolves with the payload of the next `type` event (matching `accept`, when given).
 * Subscribe before the action that causes the event. Rejects after `limit` ms (5 s by
 * default) with a clear message; pass a tighter limit where the timing is the contract.
 */
export function nextEvent<K extends keyof LifecycleEvents>(
  socket: Listenable,
  type: K,
  accept: (payload: LifecycleEvents[K]) => boolean = () => true,
  limit = WAIT_LIMIT,
): Promise<LifecycleEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`no "${type}" event within ${limit} ms`))
    }, limit)
    const off = socket.on(type, (payload: LifecycleEvents[K]) => {
      if (!accept(payload)) return
      clearTimeout(timer)
      off()
      resolve(payload)
    })
  })
}

/** Resolves once `predicate(snapshot)` holds (at once if it already does). Rejects after 5 s. */
export function untilSnapshot(
  socket: { getSnapshot(): Snapshot; subscribe(listener: () => void): () => void },
  predicate: (snapshot: Snapshot) => boolean,
  what = 'a snapshot condition',
): Promise<void> {
  if (predicate(socket.getSnapshot())) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`timed out after ${WAIT_LIMIT} ms waiting for ${what}`))
    }, WAIT_LIMIT)
    const off = socket.subscribe(() => {
      if (!predicate(socket.getSnapshot())) return
      clearTimeout(timer)
      off()
      resolve()
    })
  })
}

/** Resolves once the socket's status is `status` (at once if it already is). Rejects after 5 s. */
export function untilStatus(
  socket: { getSnapshot(): Snapshot; subscribe(listener: () => void): () => void },
  status: Status,
): Promise<void> {
  return untilSnapshot(socket, (s) => s.status === status, `status "${status}"`)
}

/** Lifecycle events in the order emitted, as `[name, payload]`. */
export type EventLog = Array<[keyof LifecycleEvents, unknown]>

/** Records `open`, `close`, `error`, `reconnecting` and `drop` events, in order. */
export function recordEvents(socket: Listenable): EventLog {
  const log: EventLog = []
  for (const type of ['open', 'close', 'error', 'reconnecting', 'drop'] as const) {
    socket.on(type, (payload: unknown) => log.push([type, payload]))
  }
  return log
}

/** The names in a log, with each error shown as `error:CODE`. */
export function eventNames(log: EventLog): string[] {
  return log.map(([type, payload]) => (type === 'error' ? `error:${(payload as { code: string }).code}` : type))
}

/** The payloads of one event type in a log. */
export function payloadsOf<K extends keyof LifecycleEvents>(log: EventLog, type: K): Array<LifecycleEvents[K]> {
  return log.filter(([name]) => name === type).map(([, payload]) => payload as LifecycleEvents[K])
}

/** Counts of client WebSockets made by a {@link countingWebSocket}. */
export interface LiveSocketStats {
  /** WebSockets constructed. */
  created: number
  /** The most that were live at the same moment. */
  maxLive: number
  /** How many were abandoned with `terminate()` (no close handshake). */
  terminated: number
  /** How many are live now. */
  live(): number
}

/** The parts of a client WebSocket a {@link countingWebSocket} relies on; `ws` and the standard class share them. */
interface CountableWebSocket {
  addEventListener(type: 'close', listener: () => void, options: { once: true }): void
  close(code?: number, reason?: string): void
  terminate?(): void
}

/**
 * {@link clientWebSocket} with a count of live client sockets: created and neither closed,
 * closing nor terminated. It has `terminate()` only where the class has one, as the core
 * checks for it to choose between dropping a link and closing it.
 */
export function countingWebSocket(): { WebSocket: WebSocketConstructor; stats: LiveSocketStats } {
  const live = new Set<CountableWebSocket>()
  const stats: LiveSocketStats = { created: 0, maxLive: 0, terminated: 0, live: () => live.size }
  const Base = clientWebSocket.WebSocket as unknown as new (
    address: string,
    protocols?: string | string[],
  ) => CountableWebSocket
  class CountingWebSocket extends Base {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols)
      stats.created++
      live.add(this)
      stats.maxLive = Math.max(stats.maxLive, live.size)
      this.addEventListener('close', () => live.delete(this), { once: true })
    }
    override close(code?: number, reason?: string): void {
      live.delete(this)
      super.close(code, reason)
    }
  }
  class TerminatingWebSocket extends CountingWebSocket {
    override terminate(): void {
      if (live.delete(this)) stats.terminated++
      super.terminate?.()
    }
  }
  const WebSocket = clientWebSocket.canTerminate ? TerminatingWebSocket : CountingWebSocket
  return { WebSocket: WebSocket as unknown as WebSocketConstructor, stats }
}

/**
 * The close frame a server gets back from the client after closing with `code` and `reason`.
 * Clients echo the code; `ws`, Bun and Deno echo the reason too, Node's own WebSocket (undici)
 * does not, as RFC 6455 (5.5.1) allows. The core has no say in either.
 */
export function echoedClose(code: number, reason: string): { code: number; reason: string } {
  const undici = clientWebSocket.kind === 'global' && runtime === 'node'
  return { code, reason: undici ? '' : reason }
}

/** How a {@link RawClient}'s connection ended. */
export interface RawClose {
  code: number
  wasClean: boolean
}

/**
 * The close code a raw client sees when its connection drops without a close frame: 1006, but 0
 * on Deno's own WebSocket. (Lifeline's `close` event is meant to say 1006 on every runtime.)
 */
export const RAW_ABRUPT_CLOSE_CODE = clientWebSocket.kind === 'global' && runtime === 'deno' ? 0 : 1006

/** The standard event API of a client WebSocket, which `ws` has too. */
interface StandardWebSocket {
  readonly readyState: number
  addEventListener(type: string, listener: (event: { data?: unknown; code?: number; wasClean?: boolean }) => void): void
  send(data: string): void
  close(): void
  terminate?(): void
}

/**
 * A plain {@link clientWebSocket}, for checking the test tools without Lifeline in between. It
 * uses only the standard event API, so the same checks run on every runtime's WebSocket.
 */
export class RawClient {
  readonly #ws: StandardWebSocket
  readonly #messages: string[] = []
  #onMessage: (() => void) | null = null
  /** Settles once the connection is closed. */
  readonly closed: Promise<RawClose>

  private constructor(ws: StandardWebSocket) {
    this.#ws = ws
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (event) => resolve({ code: event.code ?? -1, wasClean: event.wasClean ?? false }))
    })
    ws.addEventListener('message', (event) => {
      this.#messages.push(String(event.data))
      this.#onMessage?.()
    })
  }

  /** Resolves once the connection is open; rejects if it fails first. */
  static open(url: string): Promise<RawClient> {
    const ws = new clientWebSocket.WebSocket(url) as unknown as StandardWebSocket
    const client = new RawClient(ws)
    return new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(client))
      ws.addEventListener('error', () => reject(new Error(`raw client could not connect to ${url}`)))
    })
  }

  /** Sends a text frame. */
  send(text: string): void {
    this.#ws.send(text)
  }

  /** The next text frame received (the oldest not yet taken). */
  nextMessage(): Promise<string> {
    const message = this.#messages.shift()
    if (message !== undefined) return Promise.resolve(message)
    return new Promise((resolve) => {
      this.#onMessage = () => {
        this.#onMessage = null
        resolve(this.#messages.shift() as string)
      }
    })
  }

  /** Starts the close handshake. */
  close(): void {
    this.#ws.close()
  }

  /** Ends the connection, at once where the class can (`terminate()`), and resolves once it is closed. */
  async dispose(): Promise<void> {
    const CLOSED = 3
    if (this.#ws.readyState !== CLOSED) {
      if (this.#ws.terminate) this.#ws.terminate()
      else this.#ws.close()
    }
    await this.closed
  }
}

/**
 * What one test opens, disposed in `afterEach`: sockets first, then proxies, then servers,
 * so nothing is left listening, connected or scheduled.
 */
export class Resources {
  readonly #sockets: Array<{ dispose(): void }> = []
  readonly #proxies: FaultProxy[] = []
  readonly #servers: TestServer[] = []

  /** A Lifeline socket over {@link clientWebSocket}, without browser events, disposed after the test. */
  connect<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>, Replies = {}>(
    url: Parameters<typeof connect>[0],
    options: ConnectOptions<In, Out> = {},
  ): Socket<In, Out, Replies> {
    const socket = connect<In, Out, Replies>(url, {
      WebSocket: clientWebSocket.WebSocket,
      browserEvents: false,
      ...options,
    })
    this.#sockets.push(socket)
    return socket
  }

  /** A started test server, closed after the test. */
  async server(): Promise<TestServer> {
    const server = await TestServer.start()
    this.#servers.push(server)
    return server
  }

  /** A started proxy, closed after the test. */
  async proxy(options: ProxyOptions): Promise<FaultProxy> {
    const proxy = await FaultProxy.start(options)
    this.#proxies.push(proxy)
    return proxy
  }

  /** Disposes every socket, then closes every proxy and server. */
  async dispose(): Promise<void> {
    for (const socket of this.#sockets.splice(0)) socket.dispose()
    await Promise.all(this.#proxies.splice(0).map((proxy) => proxy.close()))
    await Promise.all(this.#servers.splice(0).map((server) => server.close()))
  }
}

/** Sends `count` numbered chat messages starting at `from`; returns what each `send` returned. */
export function sendNumbered(socket: Socket<Chat, Chat>, from: number, count: number): string[] {
  const results: string[] = []
  for (let seq = from; seq < from + count; seq++) results.push(socket.send('chat', { text: `message ${seq}`, seq }))
  return results
}

/** The numbered chat messages tests send and the server echoes. */
export interface Chat {
  chat: { text: string; seq: number }
}

/** The sequence numbers of chat envelopes. */
export function seqs(messages: Array<{ data?: unknown }>): number[] {
  return messages.map((m) => (m.data as { seq: number }).seq)
}

/** `[from, from + 1, …, to - 1]`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i)
}
