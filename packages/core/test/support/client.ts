import WebSocket from 'ws'
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

/** `ws` with a count of live client sockets: created and neither closed, closing nor terminated. */
export function countingWebSocket(): { WebSocket: WebSocketConstructor; stats: LiveSocketStats } {
  const live = new Set<WebSocket>()
  const stats: LiveSocketStats = { created: 0, maxLive: 0, terminated: 0, live: () => live.size }
  class CountingWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols)
      stats.created++
      live.add(this)
      stats.maxLive = Math.max(stats.maxLive, live.size)
      this.once('close', () => live.delete(this))
    }
    override close(code?: number, reason?: string | Buffer): void {
      live.delete(this)
      super.close(code, reason)
    }
    override terminate(): void {
      if (live.delete(this)) stats.terminated++
      super.terminate()
    }
  }
  return { WebSocket: CountingWebSocket, stats }
}

/**
 * What one test opens, disposed in `afterEach`: sockets first, then proxies, then servers,
 * so nothing is left listening, connected or scheduled.
 */
export class Resources {
  readonly #sockets: Array<{ dispose(): void }> = []
  readonly #proxies: FaultProxy[] = []
  readonly #servers: TestServer[] = []

  /** A Lifeline socket over `ws`, without browser events, disposed after the test. */
  connect<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>>(
    url: Parameters<typeof connect>[0],
    options: ConnectOptions<In, Out> = {},
  ): Socket<In, Out> {
    const socket = connect<In, Out>(url, { WebSocket, browserEvents: false, ...options })
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
