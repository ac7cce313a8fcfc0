import { backoffDelay, MAX_TIMER_DELAY } from './backoff.js'
import { watchBrowser } from './browserEvents.js'
import { ABNORMAL, defaultShouldReconnect, isUserCloseCode, NORMAL, TRY_AGAIN_LATER } from './closeCodes.js'
import { type Envelope, exceedsBytes, type Frame, frameBytes, isBinary } from './codec.js'
import { Emitter } from './emitter.js'
import { findWindow, isOpen, reportUncaught, resolveUrl, type WebSocketLike } from './environment.js'
import { LifelineError } from './errors.js'
import { Heartbeat } from './heartbeat.js'
import { redactUrl } from './logger.js'
import type { Settings, UrlOption } from './options.js'
import { type QueuedMessage, type QueueLimits, SendQueue } from './sendQueue.js'
import type { SendArgs, Socket } from './socket.js'
import {
  type CloseInfo,
  type DropReason,
  idleSnapshot,
  type LifecycleEvents,
  type MessageMap,
  type SendResult,
  type Snapshot,
  type SocketEvents,
} from './types.js'

type TimerName = 'retry' | 'connect' | 'stable' | 'expiry'

const RESERVED: ReadonlySet<string> = new Set<keyof LifecycleEvents>([
  'open',
  'close',
  'error',
  'reconnecting',
  'state',
  'message',
  'drop',
  'latency',
])

const DROPPED_LINK: CloseInfo = Object.freeze({ code: ABNORMAL, reason: '', wasClean: false })

const noop = () => {}

/** A value, or the result of calling it; a function that throws gives a rejected promise. */
const provide = <T>(value: T | (() => T | Promise<T>)) =>
  typeof value === 'function' ? new Promise<T>((resolve) => resolve((value as () => T | Promise<T>)())) : value

const handlerFailed = (name: string, cause: unknown) =>
  new LifelineError('HANDLER_FAILED', `${name} handler threw`, { cause })

/** The implementation behind {@link Socket}. */
export class LifelineSocket<In extends MessageMap<In>, Out> implements Socket<In, Out> {
  readonly #settings: Settings<In, Out>
  readonly #url: UrlOption
  readonly #emitter: Emitter<SocketEvents<In>>
  readonly #subscribers = new Set<() => void>()
  readonly #queue: SendQueue | null
  readonly #heartbeat: Heartbeat | null
  #snapshot: Snapshot = idleSnapshot
  #ws: WebSocketLike | null = null
  /** Bumped whenever a link or attempt is abandoned; callbacks of older generations do nothing. */
  #generation = 0
  /** A network change put the open link in doubt; sends wait in the queue until it answers. */
  #suspect = false
  /** The generation whose `onOpen` handle is sending right now: its sends skip the queue. */
  #direct = 0
  #disposed = false
  #unwatchBrowser: (() => void) | null = null
  readonly #timers: Partial<Record<TimerName, ReturnType<typeof setTimeout>>> = {}

  /** @internal Use {@link connect}. */
  constructor(url: UrlOption, settings: Settings<In, Out>) {
    this.#url = url
    this.#settings = settings
    this.#emitter = new Emitter((type, error) => this.#handlerFailed(type, error))
    this.#queue = settings.queue && new SendQueue(settings.queue)
    this.#heartbeat =
      settings.heartbeat &&
      new Heartbeat(settings.heartbeat, {
        sendPing: () => this.#sendPing(),
        dead: () => this.#lose(null, new LifelineError('HEARTBEAT_TIMEOUT', 'no pong in time')),
      })
  }

  // ---- events ------------------------------------------------------------------------

  on<K extends keyof SocketEvents<In> & string>(type: K, handler: (payload: SocketEvents<In>[K]) => void): () => void {
    this.#assertUsable()
    return this.#emitter.on(type, handler)
  }

  once<K extends keyof SocketEvents<In> & string>(
    type: K,
    handler: (payload: SocketEvents<In>[K]) => void,
  ): () => void {
    this.#assertUsable()
    return this.#emitter.on(type, handler, true)
  }

  off<K extends keyof SocketEvents<In> & string>(type: K, handler?: (payload: SocketEvents<In>[K]) => void): void {
    this.#emitter.off(type, handler)
  }

  // ---- state -------------------------------------------------------------------------

  getSnapshot = (): Snapshot => this.#snapshot

  subscribe = (listener: () => void): (() => void) => {
    if (this.#disposed) return noop
    this.#subscribers.add(listener)
    return () => {
      this.#subscribers.delete(listener)
    }
  }

  // ---- sending -----------------------------------------------------------------------

  send<K extends keyof Out & string>(type: K, ...args: SendArgs<Out, K>): SendResult {
    this.#assertUsable()
    const data = args[0]
    return this.#deliver(type, data, this.#encode(data === undefined ? { type } : { type, data }))
  }

  sendRaw(frame: Frame): SendResult {
    this.#assertUsable()
    if (typeof frame !== 'string' && !isBinary(frame)) {
      throw new LifelineError('ENCODE_FAILED', 'sendRaw takes a string or binary')
    }
    return this.#deliver(undefined, frame, frame)
  }

  // ---- lifecycle ---------------------------------------------------------------------

  open(): void {
    this.#assertUsable()
    const { status } = this.#snapshot
    if (status !== 'idle' && status !== 'closed') return
    this.#listenToWindow()
    this.#setState({ status: 'connecting', attempt: 0, nextRetryAt: null })
    this.#attempt()
  }

  close(code: number = NORMAL, reason = ''): void {
    if (!isUserCloseCode(code) || frameBytes(reason) > 123) {
      throw new LifelineError(
        'INVALID_OPTIONS',
        'close takes a code of 1000 or 3000-4999 and a reason of at most 123 bytes',
      )
    }
    const { status } = this.#snapshot
    if (status === 'closed') return
    const info = { code, reason, wasClean: true }
    this.#teardownLink(info)
    this.#closeForGood(status === 'idle' ? null : info)
  }

  reconnect(options?: { force?: boolean }): void {
    this.#assertUsable()
    const { status } = this.#snapshot
    if (status === 'idle' || status === 'closed') return this.open()
    if (status === 'connecting' && !options?.force) return this.#setState({ attempt: 0 })
    const info = { code: NORMAL, reason: 'reconnect', wasClean: true }
    this.#teardownLink(info)
    this.#setState({
      status: 'connecting',
      attempt: 0,
      nextRetryAt: null,
      ...(status === 'open' && { lastClose: info }),
    })
    if (status === 'open') this.#emit('close', { ...info, willReconnect: true })
    this.#attempt()
  }

  dispose(): void {
    if (this.#disposed) return
    this.close()
    this.#disposed = true
    this.#emitter.clear()
    this.#subscribers.clear()
  }

  // ---- attempts ----------------------------------------------------------------------

  #attempt(): void {
    const generation = ++this.#generation
    const { connectTimeout, protocols } = this.#settings
    // A timeout clamped to the largest timer delay means none (connectTimeout: Infinity).
    if (connectTimeout < MAX_TIMER_DELAY) {
      this.#timers.connect = setTimeout(
        () => this.#lose(null, new LifelineError('CONNECT_TIMEOUT', `not open within ${connectTimeout} ms`)),
        connectTimeout,
      )
    }
    const url = this.#url
    if (typeof url !== 'function' && typeof protocols !== 'function') {
      this.#createWebSocket(generation, url, protocols)
      return
    }
    Promise.all([provide(url), provide(protocols)]).then(
      ([resolved, resolvedProtocols]) => {
        if (generation === this.#generation) this.#createWebSocket(generation, resolved, resolvedProtocols)
      },
      (cause) => {
        if (generation !== this.#generation) return
        this.#lose(null, new LifelineError('URL_PROVIDER_FAILED', 'url or protocols function failed', { cause }))
      },
    )
  }

  #createWebSocket(generation: number, input: string | URL, protocols: string | string[] | undefined): void {
    let ws: WebSocketLike
    try {
      const url = resolveUrl(input)
      this.#log('debug', 'connecting to', this.#settings.logSensitive ? url : redactUrl(url))
      ws = new this.#settings.WebSocket(url, protocols)
    } catch (cause) {
      const error =
        cause instanceof LifelineError
          ? cause
          : new LifelineError('CONNECT_FAILED', 'WebSocket constructor threw', { cause })
      return this.#lose(null, error)
    }
    ws.binaryType = 'arraybuffer'
    ws.onopen = () => {
      if (generation === this.#generation) this.#linkOpened(generation)
    }
    ws.onmessage = (event: { data: string | ArrayBuffer }) => {
      if (generation === this.#generation) this.#receive(event.data)
    }
    // The close event that follows an error carries the outcome.
    ws.onerror = noop
    ws.onclose = (event: { code: number; reason: string; wasClean: boolean }) => {
      if (generation !== this.#generation) return
      const info = { code: event.code, reason: event.reason, wasClean: event.wasClean }
      const failed =
        this.#snapshot.status === 'open'
          ? null
          : new LifelineError('CONNECT_FAILED', `closed before open (${info.code})`)
      this.#lose(info, failed)
    }
    this.#ws = ws
  }

  #linkOpened(generation: number): void {
    this.#heartbeat?.start(Date.now())
    const { onOpen } = this.#settings
    if (!onOpen) return this.#flush()
    const failed = (cause: unknown) => {
      if (generation !== this.#generation) return
      this.#lose(null, handlerFailed('onOpen', cause))
    }
    try {
      const result = onOpen(this.#onOpenHandle(generation))
      if (result && typeof result.then === 'function') {
        result.then(() => {
          if (generation === this.#generation) this.#flush()
        }, failed)
        return
      }
    } catch (cause) {
      return failed(cause)
    }
    this.#flush()
  }

  /** The socket as `onOpen` sees it: the same, except that its sends go out ahead of the queue. */
  #onOpenHandle(generation: number): Socket<In, Out> {
    return new Proxy(this, {
      get: (target, key) => {
        const value = Reflect.get(target, key)
        if (typeof value !== 'function') return value
        if (key !== 'send' && key !== 'sendRaw') return value.bind(target)
        return (...args: unknown[]) => {
          this.#direct = generation
          try {
            return value.apply(target, args)
          } finally {
            this.#direct = 0
          }
        }
      },
    })
  }

  /** Writes the queue to the link, in order, then reports the link open. */
  #flush(): void {
    const ws = this.#ws as WebSocketLike
    if (!isOpen(ws)) return // closing already: its close event decides what happens next
    this.#writeQueue(ws)
    this.#clearTimer('connect')
    const generation = this.#generation
    const { reconnect } = this.#settings
    if (reconnect) {
      this.#timers.stable = setTimeout(() => {
        if (generation === this.#generation) this.#setState({ attempt: 0 })
      }, reconnect.stableAfter)
    }
    this.#setState({ status: 'open', nextRetryAt: null, lastError: null })
    this.#log('debug', 'open')
    this.#emit('open', undefined)
  }

  /** Writes every queued message to the link, oldest first. */
  #writeQueue(ws: WebSocketLike): void {
    this.#expire()
    for (const item of this.#queue?.clear() ?? []) ws.send(item.frame)
    this.#clearTimer('expiry')
    this.#setState({ queued: 0 })
  }

  /**
   * The link or attempt is gone. `info` is the close the WebSocket reported (null when
   * Lifeline gave up on it); `error` is reported first when there is one.
   */
  #lose(info: CloseInfo | null, error: LifelineError | null): void {
    const wasOpen = this.#snapshot.status === 'open'
    this.#teardownLink(null)
    const generation = this.#generation
    if (error) this.#reportError(error)
    // Handlers run at each emit may close or reconnect the socket; then that call decides.
    if (generation !== this.#generation || this.#snapshot.status === 'closed') return
    const close = info ?? (wasOpen ? DROPPED_LINK : null)
    const delay = this.#retryDelay(info)
    if (delay === null) return this.#closeForGood(close ?? this.#snapshot.lastClose ?? DROPPED_LINK)
    const attempt = this.#snapshot.attempt + 1
    this.#setState({
      status: 'reconnecting',
      attempt,
      nextRetryAt: Date.now() + delay,
      ...(close && { lastClose: close }),
    })
    if (wasOpen && close) this.#emit('close', { ...close, willReconnect: true })
    if (!this.#waiting(generation)) return
    this.#log('debug', `reconnecting in ${delay} ms (attempt ${attempt})`)
    this.#emit('reconnecting', { attempt, delay })
    if (!this.#waiting(generation)) return
    this.#timers.retry = setTimeout(() => {
      this.#timers.retry = undefined
      this.#setState({ status: 'connecting', nextRetryAt: null })
      this.#attempt()
    }, delay)
  }

  #waiting(generation: number): boolean {
    return generation === this.#generation && this.#snapshot.status === 'reconnecting'
  }

  /** The wait before the next retry, or `null` to stop. */
  #retryDelay(info: CloseInfo | null): number | null {
    const reconnect = this.#settings.reconnect
    if (!reconnect) return null
    const next = this.#snapshot.attempt + 1
    if (next > reconnect.maxAttempts) return null
    if (info) {
      let retry: boolean
      try {
        retry = (reconnect.shouldReconnect ?? defaultShouldReconnect)(info)
      } catch (cause) {
        this.#reportError(handlerFailed('shouldReconnect', cause))
        retry = defaultShouldReconnect(info)
      }
      if (!retry) return null
    }
    const delay = backoffDelay(next, reconnect)
    return info?.code === TRY_AGAIN_LATER ? Math.max(delay, reconnect.maxDelay / 2) : delay
  }

  /** Abandons the current WebSocket and its timers. `closeWith` closes it politely, else it is cut. */
  #teardownLink(closeWith: CloseInfo | null): void {
    this.#generation++
    this.#suspect = false
    this.#heartbeat?.stop()
    this.#clearTimer('connect')
    this.#clearTimer('stable')
    this.#clearTimer('retry')
    const ws = this.#ws
    if (!ws) return
    this.#ws = null
    ws.onopen = ws.onmessage = ws.onclose = noop
    ws.onerror = noop // keeps Node's `ws` from throwing an unhandled 'error'
    try {
      if (closeWith) ws.close(closeWith.code, closeWith.reason)
      else if (ws.terminate) ws.terminate()
      else ws.close()
    } catch {
      // Some implementations throw when closing a socket that is closing already; make sure it is gone.
      ws.terminate?.()
    }
  }

  /** Status becomes `closed`: emits `close` (when there was a link or attempt), then drops the queue. */
  #closeForGood(close: CloseInfo | null): void {
    this.#unlistenToWindow()
    this.#clearTimer('expiry')
    const dropped = this.#queue?.clear() ?? []
    this.#setState({ status: 'closed', queued: 0, nextRetryAt: null, ...(close && { lastClose: close }) })
    if (close) this.#emit('close', { ...close, willReconnect: false })
    this.#dropAll(dropped, 'closed')
  }

  // ---- incoming ----------------------------------------------------------------------

  #receive(frame: string | ArrayBuffer): void {
    const heartbeat = this.#heartbeat
    if (heartbeat) heartbeat.received(Date.now())
    if (this.#suspect) {
      // The link answered: what was held back while it was in doubt goes out now, in order.
      this.#suspect = false
      this.#writeQueue(this.#ws as WebSocketLike)
    }
    const { maxIncomingBytes, codec } = this.#settings
    if (exceedsBytes(frame, maxIncomingBytes)) {
      return this.#reportError(new LifelineError('MESSAGE_TOO_LARGE', `frame over ${maxIncomingBytes} bytes`))
    }
    let message: unknown
    try {
      message = codec.decode(frame)
    } catch (cause) {
      return this.#reportError(new LifelineError('DECODE_FAILED', 'cannot decode a frame', { cause }))
    }
    if (heartbeat && this.#isPong(heartbeat, message)) {
      const latency = heartbeat.pong(Date.now())
      if (latency !== null) {
        this.#setState({ latency })
        this.#emit('latency', latency)
      }
      return
    }
    if (this.#settings.logSensitive) this.#log('debug', 'received', message)
    this.#emit('message', message)
    if (typeof message === 'object' && message !== null) {
      const { type, data } = message as { type?: unknown; data?: unknown }
      if (typeof type === 'string' && !RESERVED.has(type)) {
        this.#emitter.emit(type as keyof SocketEvents<In>, data as never)
      }
    }
  }

  #isPong(heartbeat: Heartbeat, message: unknown): boolean {
    try {
      return heartbeat.settings.isPong(message)
    } catch (cause) {
      this.#reportError(handlerFailed('isPong', cause))
      return false
    }
  }

  // ---- outgoing ----------------------------------------------------------------------

  #encode(message: Envelope): Frame {
    try {
      return this.#settings.codec.encode(message)
    } catch (cause) {
      throw new LifelineError('ENCODE_FAILED', `cannot encode "${message.type}"`, { cause })
    }
  }

  #deliver(type: string | undefined, data: unknown, frame: Frame): SendResult {
    const { status } = this.#snapshot
    if (status === 'closed') {
      this.#drop(type, data, 'closed')
      return 'dropped'
    }
    const ws = this.#ws
    // Until the queue has flushed only `onOpen`'s own sends go straight to the link.
    if (ws && isOpen(ws) && ((status === 'open' && !this.#suspect) || this.#direct === this.#generation)) {
      if (!this.#heartbeat?.expired(Date.now())) {
        if (this.#settings.logSensitive) this.#log('debug', 'send', type, data)
        ws.send(frame)
        return 'sent'
      }
      // The deadline passed unnoticed (a throttled timer): keep the message and replace the link.
      const result = this.#enqueue(type, data, frame)
      this.#lose(null, new LifelineError('HEARTBEAT_TIMEOUT', 'deadline passed before send'))
      return result
    }
    return this.#enqueue(type, data, frame)
  }

  #enqueue(type: string | undefined, data: unknown, frame: Frame): SendResult {
    const queue = this.#queue
    if (!queue) {
      this.#drop(type, data, 'offline')
      return 'dropped'
    }
    this.#expire()
    const { ttl, overflow } = this.#settings.queue as QueueLimits
    const entry = { type, data, frame, bytes: frameBytes(frame), expiresAt: Date.now() + ttl }
    const dropped = queue.push(entry)
    const refused = dropped[0] === entry
    if (refused && overflow === 'error')
      throw new LifelineError('QUEUE_FULL', `queue full (${queue.items.length} messages)`)
    this.#setState({ queued: queue.items.length })
    this.#dropAll(dropped, 'overflow')
    this.#scheduleExpiry()
    return refused ? 'dropped' : 'queued'
  }

  /** Drops the queued messages whose `ttl` has passed. */
  #expire(): void {
    const queue = this.#queue
    if (!queue) return
    const expired = queue.expire(Date.now())
    this.#setState({ queued: queue.items.length })
    this.#dropAll(expired, 'expired')
  }

  #scheduleExpiry(): void {
    const next = this.#queue?.items[0]?.expiresAt
    if (this.#timers.expiry !== undefined || next === undefined || next === Infinity) return
    const expire = () => {
      this.#timers.expiry = undefined
      this.#expire()
      this.#scheduleExpiry()
    }
    this.#timers.expiry = setTimeout(expire, Math.min(MAX_TIMER_DELAY, Math.max(0, next - Date.now())))
  }

  #sendPing(): void {
    const ws = this.#ws
    if (!ws || !isOpen(ws)) return
    try {
      // A string or binary ping is a ready frame; anything else is a message for the codec.
      const ping = this.#settings.heartbeat?.ping()
      ws.send(typeof ping === 'string' || isBinary(ping) ? ping : this.#encode(ping as Envelope))
    } catch (cause) {
      this.#reportError(new LifelineError('ENCODE_FAILED', 'cannot encode the ping', { cause }))
    }
  }

  #drop(type: string | undefined, data: unknown, reason: DropReason): void {
    this.#emit('drop', { type, data, reason })
  }

  #dropAll(items: QueuedMessage[], reason: DropReason): void {
    for (const item of items) this.#drop(item.type, item.data, reason)
  }

  // ---- browser events ----------------------------------------------------------------

  #listenToWindow(): void {
    const option = this.#settings.browserEvents
    const target = option === true ? findWindow() : option || null
    if (!target || this.#unwatchBrowser) return
    this.#unwatchBrowser = watchBrowser(target, {
      online: this.#onOnline,
      offline: this.#onOffline,
      resume: this.#onResume,
    })
  }

  #unlistenToWindow(): void {
    this.#unwatchBrowser?.()
    this.#unwatchBrowser = null
  }

  #onOnline = (): void => {
    const { status } = this.#snapshot
    if (status === 'reconnecting') {
      this.#clearTimer('retry')
      this.#setState({ status: 'connecting', attempt: 0, nextRetryAt: null })
      this.#attempt()
    } else this.#probe()
  }

  // navigator.onLine is often wrong: an `offline` event is a reason to check, not a verdict.
  #onOffline = (): void => this.#probe()

  /**
   * Checks an open link after a network change. Until it answers, sends are held in the
   * queue: a browser that went offline can keep a dead socket "open" and drop what it is given.
   */
  #probe(): void {
    if (this.#snapshot.status !== 'open' || !this.#heartbeat) return
    this.#suspect = true
    this.#heartbeat.probe(Date.now())
  }

  #onResume = (): void => {
    if (this.#snapshot.status === 'open' && this.#heartbeat?.expired(Date.now())) {
      this.#lose(null, new LifelineError('HEARTBEAT_TIMEOUT', 'deadline passed while asleep'))
    }
  }

  // ---- plumbing ----------------------------------------------------------------------

  #setState(patch: Partial<Snapshot>): void {
    const current = this.#snapshot
    let changed = false
    for (const key in patch) {
      if (patch[key as keyof Snapshot] !== current[key as keyof Snapshot]) {
        changed = true
        break
      }
    }
    if (!changed) return
    const next = Object.freeze({ ...current, ...patch })
    this.#snapshot = next
    for (const listener of this.#subscribers) {
      try {
        listener()
      } catch (error) {
        reportUncaught(error)
      }
    }
    this.#emit('state', next)
  }

  #emit<K extends keyof LifecycleEvents>(type: K, payload: LifecycleEvents[K]): void {
    this.#emitter.emit(type, payload as SocketEvents<In>[K])
  }

  #reportError(error: LifelineError): void {
    this.#log('warn', `${error.code}: ${error.message}`)
    this.#setState({ lastError: error })
    this.#emit('error', error)
  }

  #handlerFailed(type: string, cause: unknown): void {
    // Re-reporting a failure of an `error` or `state` handler could loop, so those are only
    // reported as uncaught, as are failures nobody listens for: a handler's bug is never silent.
    const loops = type === 'error' || type === 'state'
    if (!loops) this.#reportError(handlerFailed(type, cause))
    if (loops || !this.#emitter.has('error')) reportUncaught(cause)
  }

  #clearTimer(name: TimerName): void {
    clearTimeout(this.#timers[name])
    this.#timers[name] = undefined
  }

  #log(level: 'debug' | 'warn', ...args: unknown[]): void {
    this.#settings.logger?.[level]?.('[lifeline]', ...args)
  }

  #assertUsable(): void {
    if (this.#disposed) throw new LifelineError('DISPOSED', 'socket disposed')
  }
}
