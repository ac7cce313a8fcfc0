import { WebSocket as MockWebSocket } from 'mock-socket'

/**
 * What the test server tells the client sockets that connect to it: whether their handshakes are
 * held back (a black hole).
 */
export interface Route {
  /** Called with a handshake's completion instead of running it, while the server is a black hole. */
  hold: ((complete: () => void) => void) | null
}

/** The test servers, by URL without its query, as mock-socket routes connections. */
export const routes = new Map<string, Route>()

/** The key of `url` in {@link routes}: absolute, without query or fragment. */
export function routeKey(url: string | URL): string {
  const parsed = new URL(String(url))
  return `${parsed.origin}${parsed.pathname}`
}

/**
 * Replaces the timer mock-socket schedules each hop with (`setTimeout(…, 4)`) by a microtask, or by
 * `hold`, until the returned function restores it. mock-socket looks `setTimeout` up when it
 * schedules, so under fake timers (vitest's, Jest's, sinon's) a hop would wait for the test to
 * advance time (its issue 176). A microtask needs no timer, is never faked (Jest fakes
 * `queueMicrotask`, not promises), and still runs after the code that created the socket has set its
 * handlers. Only mock-socket's own code runs while it is replaced, so nothing else sees it.
 */
function replaceHopTimer(hold?: ((complete: () => void) => void) | null): () => void {
  const timers = globalThis as { setTimeout: unknown }
  const saved = timers.setTimeout
  timers.setTimeout = (callback: (...args: unknown[]) => void, _ms?: number, ...args: unknown[]) => {
    const complete = () => callback(...args)
    if (hold) hold(complete)
    else Promise.resolve().then(complete)
    return 0
  }
  return () => {
    timers.setTimeout = saved
  }
}

/** Runs mock-socket's `fn` with its hops as microtasks. */
export function hop<T>(fn: () => T): T {
  const restore = replaceHopTimer()
  try {
    return fn()
  } finally {
    restore()
  }
}

/** Sockets closed by the server's `close(code)`: a close handshake, so `wasClean` is true. */
const cleanClose = new WeakSet<object>()

/** Marks the next close of `socket` as clean (mock-socket calls only 1000 and 1005 clean). */
export function markCleanClose(socket: object): void {
  cleanClose.add(socket)
}

// mock-socket wraps each socket in a Proxy for the server's side; `target` is the socket itself.
const unwrap = (socket: object): object => (socket as { target?: object }).target ?? socket

const opened = new WeakSet<object>()

/** The subprotocols each socket offered (mock-socket keeps only the first). */
export const offeredProtocols = new WeakMap<object, string[]>()

/**
 * mock-socket's WebSocket as a test needs it: hops are microtasks, so it works the same under fake
 * timers and real ones; a connection that fails before opening closes with 1006 (mock-socket says
 * 1000, which Lifeline takes as final); binary views are sent as bytes (mock-socket sends
 * `String(view)`); and a test server's black hole holds handshakes.
 */
export class TestWebSocket extends MockWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    const restore = replaceHopTimer(routes.get(routeKey(url))?.hold)
    try {
      super(String(url), protocols)
    } finally {
      restore()
    }
    offeredProtocols.set(this, protocols === undefined ? [] : [protocols].flat())
  }

  /** Sends a frame to the test server; a binary view goes as its bytes. */
  override send(data: string | Blob | ArrayBuffer | ArrayBufferView): void {
    const frame = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer
      : data instanceof ArrayBuffer
        ? data.slice(0)
        : data
    hop(() => super.send(frame))
  }

  /** Starts the close handshake; the `close` event follows in a microtask. */
  override close(code?: number, reason?: string): void {
    hop(() => super.close(code, reason))
  }

  /**
   * Dispatches an event (mock-socket passes a message's data to the server as `data`). A close of a
   * connection that never opened is reported as 1006, not clean, as a browser reports a failed one.
   */
  override dispatchEvent(event: Event, ...data: unknown[]): boolean {
    const self = unwrap(this)
    if (event.type === 'open') opened.add(self)
    if (event.type === 'close') {
      const close = event as unknown as { code: number; wasClean: boolean }
      if (!opened.has(self)) Object.assign(close, { code: 1006, wasClean: false })
      else if (cleanClose.has(self)) close.wasClean = true
    }
    return (super.dispatchEvent as (event: Event, ...data: unknown[]) => boolean)(event, ...data)
  }
}
