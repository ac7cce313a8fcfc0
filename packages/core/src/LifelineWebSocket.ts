import {
  type CloseInfo,
  type ConnectOptions,
  connect,
  frameBytes,
  LifelineError,
  rawCodec,
  type Socket,
} from '@lifeline/core'

/**
 * The options of {@link LifelineWebSocket}: those of `connect`, without the ones the class decides
 * (frames pass as they are, the second constructor argument gives the subprotocols, it connects at
 * once). `reconnect: false` makes it a plain WebSocket, for libraries that reconnect by themselves.
 */
export type LifelineWebSocketOptions = Omit<ConnectOptions, 'codec' | 'protocols' | 'autoConnect'>

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3
const STATES = { CONNECTING, OPEN, CLOSING, CLOSED } as const
/** The events a WebSocket fires, each with its `on*` handler. */
const TYPES = ['open', 'message', 'error', 'close']

// biome-ignore lint/suspicious/noExplicitAny: platform classes, looked up when used (only EventTarget and Blob at import).
const platform = globalThis as any
const hasBlob = typeof platform.Blob === 'function'

/**
 * The standard `WebSocket` interface over a Lifeline socket (with `rawCodec`), for code written
 * against the plain WebSocket and for libraries that take a WebSocket class. By default it
 * reconnects: one `close` event per drop, `readyState` back to `CONNECTING` while it retries (failed
 * retries fire nothing), `open` again once back, and sends made meanwhile wait in the queue
 * (`bufferedAmount` counts them); `close()` is final. With `{ reconnect: false }` it is exactly a
 * plain WebSocket (one `error` + `close` at the end, then `CLOSED` for good), plus the heartbeat's
 * dead-link detection when asked and relative URLs.
 *
 * @example
 * ```ts
 * import { LifelineWebSocket } from '@lifeline/core/websocket'
 *
 * const ws = new LifelineWebSocket('wss://example.com/feed', [], { heartbeat: { ping: () => 'ping' } })
 * ws.onmessage = (event) => console.log(event.data)
 * ws.send('subscribe:BTC') // queued until open, and again across reconnects
 *
 * // A library that constructs with two arguments gets the options through a subclass:
 * class PlainSocket extends LifelineWebSocket {
 *   constructor(url: string | URL, protocols?: string | string[]) {
 *     super(url, protocols, { reconnect: false, heartbeat: true })
 *   }
 * }
 * ```
 */
export class LifelineWebSocket
  // `Object` where there is no EventTarget, so that importing never fails (React Native needs a polyfill).
  extends ((platform.EventTarget ?? Object) as typeof EventTarget)
  implements WebSocket
{
  /** `0`: not open yet, or (by default) being re-established. */
  declare static readonly CONNECTING: 0
  /** `1`: open. */
  declare static readonly OPEN: 1
  /** `2`: `close()` was called; the `close` event follows. */
  declare static readonly CLOSING: 2
  /** `3`: closed for good. */
  declare static readonly CLOSED: 3
  /** `0`, as {@link LifelineWebSocket.CONNECTING}. */
  declare readonly CONNECTING: 0
  /** `1`, as {@link LifelineWebSocket.OPEN}. */
  declare readonly OPEN: 1
  /** `2`, as {@link LifelineWebSocket.CLOSING}. */
  declare readonly CLOSING: 2
  /** `3`, as {@link LifelineWebSocket.CLOSED}. */
  declare readonly CLOSED: 3
  /** Called on every `open`. Each `on*` handler is called before the listeners of its event, `dispatchEvent`'s included. */
  declare onopen: ((this: WebSocket, event: Event) => unknown) | null
  /** Called for every incoming message; `event.data` is a string, a `Blob` or an `ArrayBuffer` (see `binaryType`). */
  declare onmessage: ((this: WebSocket, event: MessageEvent) => unknown) | null
  /** Called just before a `close` that did not end cleanly. */
  declare onerror: ((this: WebSocket, event: Event) => unknown) | null
  /** Called when a link ends: once per drop while it reconnects, and once at the end. */
  declare onclose: ((this: WebSocket, event: CloseEvent) => unknown) | null

  /** The Lifeline socket underneath: its snapshot, `reconnect()`, `on('reconnecting')` and the rest. */
  declare readonly socket: Socket
  /** The URL, resolved: absolute, `ws:` or `wss:`. */
  declare readonly url: string
  /** The state behind the public members, kept in a closure (see {@link create}). */
  declare private _: Inner

  /**
   * @param url - `ws:`/`wss:`, or `http:`/`https:` and relative URLs, resolved against the page.
   * @param protocols - subprotocols, offered at every attempt.
   * @param options - the options of `connect`; a subclass supplies them when a library constructs with two arguments.
   * @throws `INVALID_URL`, `INVALID_OPTIONS` or `NO_WEBSOCKET`, as `connect` does.
   */
  constructor(url: string | URL, protocols?: string | string[], options: LifelineWebSocketOptions = {}) {
    super()
    const inner = create(this, url, protocols, options)
    Object.assign(this, { _: inner, socket: inner.socket, url: inner.url })
  }

  /**
   * How binary messages arrive: `'blob'` (the standard's default, where `Blob` exists) or
   * `'arraybuffer'`. Any other value is ignored, as the standard says.
   * @default 'blob'
   */
  get binaryType(): BinaryType {
    return this._.binaryType
  }
  set binaryType(value: BinaryType) {
    if (value === 'blob' || value === 'arraybuffer') this._.binaryType = value
  }

  /** `CONNECTING` (also while reconnecting), `OPEN`, `CLOSING` or `CLOSED`. */
  get readyState(): number {
    return this._.state
  }

  /** The subprotocol the server chose on the last open, `''` for none. */
  get protocol(): string {
    return this._.protocol ?? ''
  }

  /** The extensions the server chose on the last open. */
  get extensions(): string {
    return this._.extensions
  }

  /** Bytes sent but not on the wire yet: those waiting in the queue, and those the open link still buffers. */
  get bufferedAmount(): number {
    return this._.buffered()
  }

  /**
   * Sends a text or binary message; any other value is sent as a string (`send(123)` sends `"123"`),
   * as the standard says. While not open it waits in the queue, flushed in order on open; with
   * `reconnect: false` it throws `InvalidStateError` before the open, as the standard says. After
   * the end it is discarded.
   *
   * @throws `ENCODE_FAILED` for a `Blob`: send `await blob.arrayBuffer()` instead (reading a Blob is
   * asynchronous, and the queue keeps frames in order as they are sent).
   */
  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    this._.send(data)
  }

  /**
   * Closes for good: no reconnect, queued messages are dropped. `readyState` is `CLOSING` until the
   * `close` event, a microtask later (with `error` first and code 1006 when it had not opened yet,
   * as the standard says). While waiting to reconnect it only ends: the drop was reported already.
   *
   * @param code - 1000 (the default) or 3000–4999.
   * @param reason - at most 123 bytes.
   * @throws `INVALID_OPTIONS` for another code or a longer reason.
   */
  close(code?: number, reason?: string): void {
    this._.close(code, reason)
  }
}

type Frame = string | ArrayBuffer | ArrayBufferView

type Handler = ((this: LifelineWebSocket, event: Event) => unknown) | null

/** What the public members read and call. */
interface Inner {
  socket: Socket
  url: string
  state: number
  binaryType: BinaryType
  /** The `on*` handlers, under their own names. */
  [handler: `on${string}`]: Handler | undefined
  /** The first listener of every event: it calls the `on*` handler of the event's type. */
  handleEvent(event: Event): void
  /** The server's choice on the last open; `null` before the first. */
  protocol: string | null
  extensions: string
  buffered(): number
  /** Sends `data`: a frame, or any other value, made a string. */
  send(data: unknown): void
  close(code?: number, reason?: string): void
}

/**
 * The Lifeline socket behind a {@link LifelineWebSocket}, and the standard's state kept beside it.
 * A closure, so that its names minify: the class's budget is 1 KiB over the core.
 */
function create(
  target: LifelineWebSocket,
  url: string | URL,
  protocols: string | string[] | undefined,
  options: LifelineWebSocketOptions,
): Inner {
  const given = options.WebSocket
  if (typeof (given ?? platform.WebSocket) !== 'function') {
    throw new LifelineError(given ? 'INVALID_OPTIONS' : 'NO_WEBSOCKET', 'WebSocket: pass a constructor')
  }
  const plain = options.reconnect === false
  /** The WebSocket of the current attempt. */
  let link: WebSocket | undefined
  /** `close()` was called: it reports the end itself. */
  let closing = false
  /** Sizes of the sends that went to the queue; the queue holds the newest `snapshot.queued` of them. */
  let queued: number[] = []
  /** Bytes sent after the end: discarded, and counted, as the standard says. */
  let unsent = 0

  // Called with `new` at each attempt, with the URL resolved; the global is looked up each time (MSW, late polyfills).
  function Tracked(href: string, offered?: string | string[]) {
    self.url ||= href
    link = new (given ?? platform.WebSocket)(href, offered)
    return link
  }
  const socket = connect(url, {
    ...options,
    WebSocket: Tracked as never,
    protocols,
    codec: rawCodec,
    autoConnect: false,
  })
  /**
   * Dispatches a DOM event of class `Ctor`, or, where the platform lacks it (CloseEvent in Node
   * 20), an `Event` with the same fields.
   */
  const fire = (type: string, init?: object, Ctor?: typeof Event) => {
    target.dispatchEvent(Ctor ? new Ctor(type, init) : Object.assign(new platform.Event(type), init))
  }
  const end = ({ code, reason, wasClean }: CloseInfo) => {
    if (!wasClean) fire('error')
    fire('close', { code, reason, wasClean }, platform.CloseEvent)
  }
  /** The sizes of the sends still queued: the newest `queued` (the queue only ever loses its oldest, or all). */
  const trim = () => {
    const count = socket.getSnapshot().queued
    queued = count ? queued.slice(-count) : []
    return queued
  }
  const write = (data: Frame) => {
    if (socket.sendRaw(data) === 'queued') trim().push(frameBytes(data))
    else if (self.state >= CLOSING) unsent += frameBytes(data)
  }

  const self: Inner = {
    socket,
    url: '',
    state: CONNECTING,
    binaryType: hasBlob ? 'blob' : 'arraybuffer',
    handleEvent(event) {
      try {
        self[`on${event.type}`]?.call(target, event)
      } catch (error) {
        // As a throwing listener is: reported, and the others still run.
        ;(platform.reportError ?? console.error)(error)
      }
    },
    protocol: null,
    extensions: '',
    buffered() {
      let bytes = unsent + (self.state === OPEN ? (link?.bufferedAmount ?? 0) : 0)
      for (const each of trim()) bytes += each
      return bytes
    },
    send(data) {
      // Anything but binary data (or a Blob, refused by the codec) is sent as a string; a Symbol throws a TypeError.
      if (!(data instanceof ArrayBuffer || ArrayBuffer.isView(data) || (hasBlob && data instanceof platform.Blob))) {
        data = `${data}`
      }
      if (plain && self.state === CONNECTING) {
        throw new DOMException('not open yet', 'InvalidStateError')
      }
      write(data as Frame)
    },
    close(code, reason) {
      const { state } = self
      const before = closing
      closing = true
      try {
        socket.close(code, reason)
      } catch (error) {
        closing = before
        throw error
      }
      if (state >= CLOSING) return
      self.state = CLOSED
      // Waiting to reconnect: the drop's `close` went out already.
      if (state === CONNECTING && self.protocol !== null) return
      self.state = CLOSING
      Promise.resolve().then(() => {
        self.state = CLOSED
        end(state === CONNECTING ? DROPPED : { code: code ?? 1000, reason: reason ?? '', wasClean: true })
      })
    },
  }
  // Before any listener of the user's, so the `on*` handler runs first, with the event as dispatched.
  for (const type of TYPES) target.addEventListener(type, self)
  socket.on('open', () => {
    self.state = OPEN
    self.protocol = link?.protocol ?? ''
    self.extensions = link?.extensions ?? ''
    fire('open')
  })
  socket.on('message', (frame) => {
    const data = typeof frame !== 'string' && self.binaryType === 'blob' ? new platform.Blob([frame]) : frame
    fire('message', { data }, platform.MessageEvent)
  })
  socket.on('close', (close) => {
    if (closing) return
    self.state = close.willReconnect ? CONNECTING : CLOSED
    end(close)
  })
  // A static URL and protocols: the first attempt starts now, and gives `self.url`.
  socket.open()
  return self
}

const DROPPED: CloseInfo = { code: 1006, reason: '', wasClean: false }

Object.assign(LifelineWebSocket, STATES)
Object.assign(LifelineWebSocket.prototype, STATES)
for (const type of TYPES) {
  const key = `on${type}` as const
  Object.defineProperty(LifelineWebSocket.prototype, key, {
    get(this: { _: Inner }) {
      return this._[key] ?? null
    },
    set(this: { _: Inner }, handler: unknown) {
      // As the standard says, a value that is not a function is null.
      this._[key] = typeof handler === 'function' ? (handler as Handler) : null
    },
  })
}
