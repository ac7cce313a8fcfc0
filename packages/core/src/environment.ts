import { LifelineError } from './errors.js'

/**
 * The part of a WebSocket Lifeline uses. Matches the browser's `WebSocket`, Node's `ws`,
 * and mock-socket; handler parameters are loose on purpose so all three fit.
 */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number
  /** How binary frames arrive; Lifeline sets `'arraybuffer'`. */
  binaryType: string
  /** Called once the handshake completes. */
  // biome-ignore lint/suspicious/noExplicitAny: each implementation types its events differently.
  onopen: ((event: any) => void) | null
  /** Called with `{ code, reason, wasClean }` when the connection ends. */
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onclose: ((event: any) => void) | null
  /** Called when the connection fails; a close event follows. */
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onerror: ((event: any) => void) | null
  /** Called with `{ data }` for every incoming frame. */
  // biome-ignore lint/suspicious/noExplicitAny: see above
  onmessage: ((event: any) => void) | null
  /** Writes a frame. */
  send(data: string | ArrayBuffer | ArrayBufferView): void
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void
  /** Bytes written but not yet sent; Lifeline holds sends back while it is over `highWaterMark`. */
  readonly bufferedAmount?: number
  /** Node's `ws` only: drop the TCP connection at once. */
  terminate?(): void
}

/** A `WebSocket` constructor: the browser's, `ws` in Node, or a test double. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike

/** The window-like object whose `online`, `offline`, `pageshow` and `visibilitychange` events Lifeline follows. */
export interface BrowserEventTarget {
  /** Starts listening to `online`, `offline` or `pageshow`. */
  addEventListener(type: string, listener: () => void): void
  /** Stops listening. */
  removeEventListener(type: string, listener: () => void): void
  /** Where `visibilitychange` fires and `visibilityState` is read. */
  document?: {
    /** `'visible'` or `'hidden'`. */
    readonly visibilityState?: string
    /** Starts listening to `visibilitychange`. */
    addEventListener(type: string, listener: () => void): void
    /** Stops listening. */
    removeEventListener(type: string, listener: () => void): void
  }
}

const OPEN = 1

/** `WebSocket.OPEN`, the same in every implementation. */
export function isOpen(ws: WebSocketLike): boolean {
  return ws.readyState === OPEN
}

/**
 * Resolves a URL the way the WebSocket standard does: relative to `location` where there
 * is one, `http:` becomes `ws:` and `https:` becomes `wss:`, the fragment is removed. The
 * error never shows the URL: its query may hold a token, and errors are logged.
 */
export function resolveUrl(input: string | URL): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href
  let url: URL
  try {
    url = new URL(String(input), base)
  } catch (cause) {
    const relative = !base && typeof input === 'string' && /^[/.]/.test(input)
    // Not `fail`: some runtimes quote the URL in the parser's message, and a URL can carry a token.
    throw new LifelineError('INVALID_URL', relative ? 'relative URL without a page' : 'invalid URL', { cause })
  }
  url.protocol = url.protocol.replace(/^http/, 'ws')
  if (!/^wss?:$/.test(url.protocol))
    throw new LifelineError('INVALID_URL', `${url.protocol} is not ws:, wss:, http: or https:`)
  url.hash = ''
  return url.href
}

/** The WebSocket constructor to use: the one passed, else the global one. */
export function findWebSocket(given: unknown): WebSocketConstructor {
  const ctor = given ?? (globalThis as { WebSocket?: unknown }).WebSocket
  if (typeof ctor === 'function') return ctor as WebSocketConstructor
  if (given !== undefined) {
    throw new LifelineError('INVALID_OPTIONS', 'WebSocket must be a constructor')
  }
  throw new LifelineError(
    'NO_WEBSOCKET',
    "no global WebSocket here: pass one, e.g. `import WebSocket from 'ws'; connect(url, { WebSocket })`",
  )
}

/** The page's `window`, looked up when a socket opens (never at import). */
export function findWindow(): BrowserEventTarget | null {
  const win = (globalThis as { window?: BrowserEventTarget }).window
  return win && typeof win.addEventListener === 'function' ? win : null
}

/**
 * Reports an exception from user code the way a throwing DOM event listener is reported:
 * to `reportError` where it exists (the console and `window.onerror`), else `console.error`.
 */
export function reportUncaught(error: unknown): void {
  const report = (globalThis as { reportError?: (error: unknown) => void }).reportError ?? console.error
  report(error)
}
