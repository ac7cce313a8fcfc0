import type { WebSocketLike } from '@lifeline/core'

/**
 * A WebSocket double driven by the test: nothing happens until the test says so, so every
 * step is explicit and works under fake timers. `FakeWebSocket.instances` lists every
 * socket created, newest last.
 */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = []
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3

  static reset(): void {
    FakeWebSocket.instances = []
  }

  static get last(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1)
    if (!ws) throw new Error('no FakeWebSocket was created')
    return ws
  }

  /** Sockets not yet closed, from the client's side or the server's. */
  static live(): FakeWebSocket[] {
    return FakeWebSocket.instances.filter((ws) => ws.readyState < FakeWebSocket.CLOSING && !ws.terminated)
  }

  readyState = FakeWebSocket.CONNECTING
  binaryType = 'blob'
  sent: Array<string | ArrayBuffer | ArrayBufferView> = []
  closedWith: { code?: number; reason?: string } | null = null
  terminated = false
  // biome-ignore lint/suspicious/noExplicitAny: matches WebSocketLike
  onopen: ((event: any) => void) | null = null
  // biome-ignore lint/suspicious/noExplicitAny: matches WebSocketLike
  onclose: ((event: any) => void) | null = null
  // biome-ignore lint/suspicious/noExplicitAny: matches WebSocketLike
  onerror: ((event: any) => void) | null = null
  // biome-ignore lint/suspicious/noExplicitAny: matches WebSocketLike
  onmessage: ((event: any) => void) | null = null

  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
  ) {
    FakeWebSocket.instances.push(this)
  }

  send(data: string | ArrayBuffer | ArrayBufferView): void {
    if (this.readyState === FakeWebSocket.CONNECTING) throw new Error('InvalidStateError: still connecting')
    if (this.readyState === FakeWebSocket.OPEN) this.sent.push(data)
  }

  /** The client's close; the fake server answers the handshake at once (use `blackholed` for one that never does). */
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
    if (this.readyState >= FakeWebSocket.CLOSING) return
    this.readyState = this.blackholed ? FakeWebSocket.CLOSING : FakeWebSocket.CLOSED
  }

  /** The server never answers a close handshake. */
  blackholed = false

  terminate(): void {
    this.terminated = true
    this.readyState = FakeWebSocket.CLOSED
  }

  /** Whether it is closing or closed, from either side. */
  get closed(): boolean {
    return this.readyState >= FakeWebSocket.CLOSING
  }

  /** Sent frames decoded as JSON. */
  get messages(): unknown[] {
    return this.sent.map((frame) => JSON.parse(String(frame)))
  }

  // ---- the server's side ----

  serverOpen(): void {
    this.readyState = FakeWebSocket.OPEN
    this.onopen?.({ type: 'open' })
  }

  serverSend(data: unknown): void {
    const frame = typeof data === 'string' || data instanceof ArrayBuffer ? data : JSON.stringify(data)
    this.onmessage?.({ type: 'message', data: frame })
  }

  /** Delivers `{ type, data }` as one JSON frame. */
  serverEmit(type: string, data?: unknown): void {
    this.serverSend({ type, data })
  }

  serverClose(code = 1006, reason = '', wasClean = code !== 1006): void {
    this.readyState = FakeWebSocket.CLOSED
    this.onclose?.({ type: 'close', code, reason, wasClean })
  }

  /** A failed connection as browsers report it: `error`, then `close` 1006. */
  serverFail(): void {
    this.readyState = FakeWebSocket.CLOSED
    this.onerror?.({ type: 'error' })
    this.onclose?.({ type: 'close', code: 1006, reason: '', wasClean: false })
  }
}

/**
 * A FakeWebSocket with what Node's `ws` keeps in `_socket`: a TCP socket that can be corked.
 * Frames sent while it is corked are held and leave together when it is uncorked; a `terminate()`
 * while corked loses them, as destroying a TCP socket loses what it has not written.
 */
export class CorkableFakeWebSocket extends FakeWebSocket {
  /** The frames that left, batch by batch: what one uncork let go, or one frame sent while uncorked. */
  batches: Array<Array<string | ArrayBuffer | ArrayBufferView>> = []
  /** Frames lost to a terminate() while corked. */
  lost: Array<string | ArrayBuffer | ArrayBufferView> = []
  /** The calls made on the socket and its TCP socket, in order: cork, uncork, send, close. */
  calls: string[] = []
  private held: Array<string | ArrayBuffer | ArrayBufferView> = []
  private depth = 0
  readonly _socket = {
    cork: () => {
      this.depth++
      this.calls.push('cork')
    },
    uncork: () => {
      this.depth--
      this.calls.push('uncork')
      if (this.depth === 0 && this.held.length) this.batches.push(this.held.splice(0))
    },
  }

  /** Frames that left, in order. */
  get wire(): Array<string | ArrayBuffer | ArrayBufferView> {
    return this.batches.flat()
  }

  /** Whether writes are held back now. */
  get corked(): boolean {
    return this.depth > 0
  }

  override send(data: string | ArrayBuffer | ArrayBufferView): void {
    const before = this.sent.length
    super.send(data)
    this.calls.push('send')
    if (this.sent.length === before) return
    if (this.depth) this.held.push(data)
    else this.batches.push([data])
  }

  override close(code?: number, reason?: string): void {
    this.calls.push('close')
    super.close(code, reason)
  }

  override terminate(): void {
    this.lost.push(...this.held.splice(0))
    super.terminate()
  }
}

/** A fake `window`: records listeners and fires events on demand. */
export function fakeWindow() {
  const listeners = new Map<string, Set<() => void>>()
  const docListeners = new Map<string, Set<() => void>>()
  const add = (map: Map<string, Set<() => void>>) => (type: string, fn: () => void) => {
    const set = map.get(type) ?? new Set()
    map.set(type, set.add(fn))
  }
  const remove = (map: Map<string, Set<() => void>>) => (type: string, fn: () => void) => {
    map.get(type)?.delete(fn)
  }
  const document = {
    visibilityState: 'visible' as string,
    addEventListener: add(docListeners),
    removeEventListener: remove(docListeners),
  }
  return {
    document,
    addEventListener: add(listeners),
    removeEventListener: remove(listeners),
    fire(type: string) {
      const map = type === 'visibilitychange' ? docListeners : listeners
      for (const fn of [...(map.get(type) ?? [])]) fn()
    },
    count(): number {
      let n = 0
      for (const set of [...listeners.values(), ...docListeners.values()]) n += set.size
      return n
    },
  }
}
