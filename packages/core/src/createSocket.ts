import { watchBrowser } from './browserEvents.js'
import { after, MAX_TIMER_DELAY, monotonic, type Timer } from './clock.js'
import { ABNORMAL, isUserCloseCode, NORMAL } from './closeCodes.js'
import { type Envelope, type Frame, frameBytes, isBinary } from './codec.js'
import { createEmitter, STALE } from './emitter.js'
import { findWebSocket, findWindow, isOpen, reportUncaught, resolveUrl, type WebSocketLike } from './environment.js'
import { fail, isLifelineError, LifelineError } from './errors.js'
import { createHeartbeat } from './heartbeat.js'
import { createInbox } from './inbox.js'
import { createLink } from './link.js'
import { redactUrl } from './logger.js'
import type { Settings, UrlOption } from './options.js'
import type { Outgoing } from './outbox.js'
import { createOutbox } from './outbox.js'
import { createPersistence } from './queueStore.js'
import { createRequests, type RequestOptions } from './requests.js'
import { retryDelay } from './retryPolicy.js'
import type { Socket } from './socket.js'
import { type Transition, transition } from './transition.js'
import { type CloseInfo, type DropReason, idleSnapshot, type MessageMap, type SocketEvents } from './types.js'

const DROPPED_LINK: CloseInfo = Object.freeze({ code: ABNORMAL, reason: '', wasClean: false })

const noop = () => {}

/** How often a congested link's buffer is checked, in ms. */
const DRAIN_POLL = 20

/** A value, or the result of calling it; a function that throws gives a rejected promise. */
const provide = <T>(value: T | (() => T | Promise<T>)) =>
  typeof value === 'function' ? new Promise<T>((resolve) => resolve((value as () => T | Promise<T>)())) : value

/**
 * The socket behind {@link connect}: lifecycle, retries and browser events. It owns the state
 * and is the only place that changes it, through {@link transition}; the link, inbox, outbox,
 * heartbeat and requests each do one job. Every entry point (a method, a WebSocket callback, a
 * timer) runs to completion before any event goes out, so whatever a handler calls starts from
 * committed state; and every path checks the link's generation after user code ran.
 */
export function createSocket<In extends MessageMap<In>, Out, Replies>(
  url: UrlOption,
  settings: Settings<In, Out>,
): Socket<In, Out, Replies> {
  const { reconnect: retry, logger, codec } = settings
  const now = monotonic()
  let state = idleSnapshot
  let disposed = false
  /** A network change or a late deadline put the open link in doubt: sends wait until it answers. */
  let held = false
  /** The generation whose `onOpen` is sending: its sends skip the queue. */
  let direct = 0
  /** When the current run of failed attempts began, on the monotonic clock. */
  let streak = 0
  let unwatch: (() => void) | null = null
  let retryTimer: Timer | undefined
  let connectTimer: Timer | undefined
  let stableTimer: Timer | undefined
  /** Polls a congested link (there is no drain event) until its buffer has room again. */
  let drainTimer: Timer | undefined
  /** A store's messages, loading: the first flush waits for them (at most `LOAD_TIMEOUT`). */
  let loading: Promise<void> | null = null

  const events = createEmitter<SocketEvents<In>>((type, cause) => {
    // Re-reporting a failure of an `error` or `state` handler could loop, so those are only
    // reported as uncaught, as are failures nobody listens for: a handler's bug is never silent.
    const loops = type === 'error' || type === 'state'
    if (!loops) report(fail('HANDLER_FAILED', `${type} handler threw`, cause))
    if (loops || !events.has('error')) reportUncaught(cause)
  })
  const { atomic } = events
  const emit = events.emit as (type: string, payload: unknown) => void
  const emitFresh = events.emitFresh as (type: string, read: () => unknown) => void
  const log = (level: 'debug' | 'warn', ...args: unknown[]) => logger?.[level]?.('[lifeline]', ...args)

  /** A `state` notification is waiting to go out; it carries the snapshot as it is by then. */
  let notifying = false
  /** The queued or pending count changed since the snapshot was built: it is rebuilt when read. */
  let recount = false
  /** The snapshot the last `state` event carried. */
  let published = state
  const snapshot = () => {
    if (recount) {
      recount = false
      state = transition(state, { type: 'update', changes: { queued: outbox.size, pending: requests.size() } })
    }
    return state
  }
  const publish = () => {
    notifying = false
    // Nobody listens (requests and sends on the hot path): the snapshot waits until it is read.
    if (!events.has('state')) return STALE
    const before = published
    published = snapshot()
    // Counts that changed and changed back within one action leave the snapshot as it was.
    return published === before ? STALE : published
  }
  const notify = () => {
    if (notifying) return
    notifying = true
    emitFresh('state', publish)
  }
  const dispatch = (event: Transition) => {
    const next = transition(state, event)
    if (next === state) return
    state = next
    notify()
  }
  const report = (error: LifelineError) => {
    log('warn', `${error.code}: ${error.message}`)
    dispatch({ type: 'update', changes: { lastError: error } })
    emit('error', error)
  }
  /** The queue or the pending requests changed: the counts are read when the snapshot is next. */
  const counted = () => {
    recount = true
    notify()
    persistence?.changed()
  }
  const usable = () => {
    if (disposed) throw new LifelineError('DISPOSED', 'socket disposed')
  }
  /** Checks a send's type at run time too: JavaScript callers get no type errors. */
  const typed = (type: unknown) => {
    usable()
    if (typeof type !== 'string') throw new LifelineError('ENCODE_FAILED', 'type must be a string')
  }
  const encode = (message: Envelope): Frame => {
    try {
      return codec.encode(message)
    } catch (cause) {
      throw fail('ENCODE_FAILED', 'cannot encode', cause)
    }
  }

  // ---- the parts -----------------------------------------------------------------------

  const link = createLink({
    open: atomic(() => linkOpened(link.generation)),
    // Not an action of its own: the hot path. What it changes goes through actions (a pong, a
    // held queue), and the events it emits last go out at once.
    message: (frame) => inbox(frame),
    end: atomic((close) =>
      lose(close, state.status === 'open' ? null : new LifelineError('CONNECT_FAILED', 'not open')),
    ),
  })
  const heartbeat =
    settings.heartbeat &&
    createHeartbeat(settings.heartbeat, {
      now,
      ping: atomic(() => {
        const ws = link.ws
        if (!ws || !isOpen(ws)) return
        try {
          // A string or binary ping is a ready frame; anything else is a message for the codec.
          const ping = settings.heartbeat?.ping()
          link.send(typeof ping === 'string' || isBinary(ping) ? ping : encode(ping as Envelope))
        } catch (cause) {
          report(fail('ENCODE_FAILED', 'cannot encode the ping', cause))
        }
      }),
      dead: atomic(() => lose(null, new LifelineError('HEARTBEAT_TIMEOUT', 'no pong'))),
    })
  const outbox = createOutbox(settings.queue, {
    now,
    closed: () => state.status === 'closed',
    writable() {
      const ws = link.ws
      if (!ws || !isOpen(ws)) return null
      // Until the queue has drained, only `onOpen`'s own sends skip it.
      if (direct !== link.generation && (state.status !== 'open' || held || outbox.size)) return null
      if (heartbeat?.expired()) {
        // The deadline passed unnoticed (a throttled timer, a stalled loop): keep the message and check the link.
        hold()
        return null
      }
      if (room(ws)) return link
      drainLater()
      return null
    },
    dropped(message: Outgoing, reason: DropReason) {
      const { type, data, id } = message
      emit('drop', id === undefined ? { type, data, reason } : { type, data, reason, id })
      if (id !== undefined) requests.dropped(id, reason)
    },
    changed: counted,
    atomic,
  })
  const requests = createRequests({
    send: outbox.send,
    queued: (id) => outbox.has(id),
    remove: outbox.remove,
    encode,
    changed: counted,
    report,
    debug: (...args) => log('debug', ...args),
    atomic,
    timeout: settings.requestTimeout,
    now,
  })
  const persistence =
    settings.queue?.store &&
    createPersistence(settings.queue.store, {
      now,
      waiting: () => [...requests.unanswered(), ...outbox.items],
      decode: (frame) => codec.decode(frame),
      // Loaded once, at once: what an earlier page stored goes ahead of everything sent since.
      adopt: atomic((messages) => {
        outbox.adopt(messages)
        // Items that came after the first flush stopped waiting for them go out now.
        const ws = link.ws
        if (ws && state.status === 'open' && !held) writeQueue(ws)
      }),
      report,
    })
  if (persistence)
    loading = persistence.loaded.then(() => {
      loading = null
    })
  const inbox = createInbox(settings, {
    alive() {
      heartbeat?.received()
      const ws = link.ws
      if (!held || !ws || state.status !== 'open') return
      // The link answered: what was held back while it was in doubt goes out now, in order.
      held = false
      writeQueue(ws)
    },
    pong() {
      const latency = heartbeat?.pong()
      if (latency == null) return
      dispatch({ type: 'update', changes: { latency } })
      emit('latency', latency)
    },
    report,
    route(message) {
      if (settings.logSensitive) log('debug', 'received', message)
      return requests.route(message)
    },
    emit,
  })

  // ---- lifecycle -----------------------------------------------------------------------

  /** Whether the link's send buffer is under the high-water mark. */
  function room(ws: WebSocketLike): boolean {
    return !(Number(ws.bufferedAmount) > settings.highWaterMark)
  }

  /** Writes what waits in the queue while the link has room, and keeps checking for the rest. */
  function writeQueue(ws: WebSocketLike): void {
    outbox.flush(link, () => room(ws))
    requests.written()
    if (outbox.size) drainLater()
  }

  function drainLater(): void {
    drainTimer ??= after(
      atomic(() => {
        drainTimer = undefined
        const ws = link.ws
        if (ws && state.status === 'open' && !held) writeQueue(ws)
      }),
      DRAIN_POLL,
    )
  }

  function attempt(): void {
    const generation = link.next()
    const current = () => generation === link.generation
    const { connectTimeout, protocols } = settings
    // A timeout clamped to the largest timer delay means none (connectTimeout: Infinity).
    if (connectTimeout < MAX_TIMER_DELAY) {
      connectTimer = after(() => {
        // Give a handshake that completed while this timer was late one turn to report it.
        connectTimer = after(
          atomic(() => {
            if (current() && state.status === 'connecting') {
              lose(null, new LifelineError('CONNECT_TIMEOUT', 'not open in time'))
            }
          }),
          0,
        )
      }, connectTimeout)
    }
    const create = (target: string | URL, resolvedProtocols: string | string[] | undefined) => {
      try {
        const href = resolveUrl(target)
        log('debug', `connecting to ${settings.logSensitive ? href : redactUrl(href)}`)
        link.open(findWebSocket(settings.WebSocket), href, resolvedProtocols)
      } catch (cause) {
        lose(null, isLifelineError(cause) ? cause : fail('CONNECT_FAILED', 'WebSocket threw', cause))
      }
    }
    // After the `state` event: a handler that closes the socket at `connecting` stops the attempt
    // before any WebSocket exists.
    if (typeof url !== 'function' && typeof protocols !== 'function') {
      return events.after(() => {
        if (current()) create(url, protocols)
      })
    }
    Promise.all([provide(url), provide(protocols)]).then(
      atomic(([target, resolved]) => {
        if (current()) create(target, resolved)
      }),
      atomic((cause) => {
        if (current()) lose(null, fail('URL_PROVIDER_FAILED', 'url or protocols failed', cause))
      }),
    )
  }

  function linkOpened(generation: number): void {
    heartbeat?.start()
    const { onOpen } = settings
    const failed = atomic((cause: unknown) => {
      if (generation === link.generation) lose(null, fail('HANDLER_FAILED', 'onOpen threw', cause))
    })
    let result: unknown
    // Sends during its synchronous part go first, through the handle or the outer variable.
    direct = generation
    try {
      result = onOpen?.(handle(generation))
    } catch (cause) {
      return failed(cause)
    } finally {
      direct = 0
    }
    if (generation !== link.generation) return // onOpen closed or replaced the link
    if (loading) result = Promise.all([result, loading])
    if (typeof (result as Promise<unknown> | undefined)?.then !== 'function') return flush()
    ;(result as Promise<unknown>).then(
      atomic(() => {
        if (generation === link.generation) flush()
      }),
      failed,
    )
  }

  /** The socket as `onOpen` sees it: the same, except that its sends go out ahead of the queue. */
  function handle(generation: number): Socket<In, Out, Replies> {
    const first =
      <A extends unknown[], R>(fn: (...args: A) => R) =>
      (...args: A): R => {
        const before = direct
        direct = generation
        try {
          return fn(...args)
        } finally {
          direct = before
        }
      }
    return { ...socket, send: first(socket.send), sendRaw: first(socket.sendRaw), request: first(socket.request) }
  }

  /** Writes the requests to resend and the queue to the link, in order, then reports the link open. */
  function flush(): void {
    const ws = link.ws
    if (!ws || !isOpen(ws)) return // closing already: its close event decides what happens next
    requests.resend(link.send)
    writeQueue(ws)
    clearTimeout(connectTimer)
    if (retry)
      stableTimer = after(
        atomic(() => dispatch({ type: 'stable' })),
        retry.stableAfter,
      )
    dispatch({ type: 'open' })
    log('debug', 'open')
    const generation = link.generation
    emitFresh('open', () => (generation === link.generation ? undefined : STALE))
  }

  /**
   * The link or attempt is gone. `close` is what the WebSocket reported (null when Lifeline
   * gave up on it); `error` is reported first when there is one.
   */
  function lose(close: CloseInfo | null, error: LifelineError | null): void {
    const wasOpen = state.status === 'open'
    teardown()
    if (error) report(error)
    const reported = close ?? (wasOpen ? DROPPED_LINK : null)
    if (!state.attempt) streak = now()
    const generation = link.generation
    const delay = retryDelay(retry, state.attempt + 1, close, now() - streak, (cause) =>
      report(fail('HANDLER_FAILED', 'shouldReconnect threw', cause)),
    )
    // shouldReconnect is user code: it may have closed or reconnected the socket.
    if (generation !== link.generation || state.status === 'closed') return
    if (delay === null) return closeForGood(reported ?? state.lastClose ?? DROPPED_LINK)
    dispatch({ type: 'wait', at: Date.now() + delay, close: reported })
    if (wasOpen && reported) emit('close', { ...reported, willReconnect: true })
    const { attempt: next } = state
    log('debug', `reconnecting in ${delay} ms (attempt ${next})`)
    emitFresh('reconnecting', () =>
      generation === link.generation && state.status === 'reconnecting' ? { attempt: next, delay } : STALE,
    )
    retryTimer = after(
      atomic(() => {
        dispatch({ type: 'connect' })
        attempt()
      }),
      delay,
    )
  }

  /** Abandons the link, its attempt and their timers. `close` closes it politely, else it is cut. */
  function teardown(close?: CloseInfo): void {
    link.drop(close)
    held = false
    heartbeat?.stop()
    clearTimeout(connectTimer)
    clearTimeout(stableTimer)
    clearTimeout(retryTimer)
    clearTimeout(drainTimer)
    drainTimer = undefined
    requests.lost()
  }

  /** Status becomes `closed`: emits `close` (when there was a link or attempt), then drops what waits. */
  function closeForGood(close: CloseInfo | null): void {
    unwatch?.()
    unwatch = null
    dispatch({ type: 'close', close })
    if (close) emit('close', { ...close, willReconnect: false })
    outbox.clear('closed')
    requests.close()
  }

  // ---- browser events ------------------------------------------------------------------

  /** Holds sends until the link shows it is alive, within one turn of I/O or the heartbeat's timeout. */
  function hold(probe?: boolean): void {
    held = true
    if (probe) heartbeat?.probe()
    else heartbeat?.verify()
  }

  const watch = () => {
    const option = settings.browserEvents
    const target = option === true ? findWindow() : option || null
    if (!target || unwatch) return
    unwatch = watchBrowser(target, {
      online: atomic(() => {
        if (state.status !== 'reconnecting') return probe()
        clearTimeout(retryTimer)
        dispatch({ type: 'connect', reset: true })
        attempt()
      }),
      // navigator.onLine is often wrong: `offline` is a reason to check, not a verdict.
      offline: atomic(() => probe()),
      resume: atomic(() => {
        if (state.status === 'open' && heartbeat?.expired()) hold()
      }),
    })
  }
  /** Checks an open link after a network change, holding sends until it answers. */
  const probe = () => {
    if (state.status === 'open' && heartbeat) hold(true)
  }

  // ---- the public API ------------------------------------------------------------------

  const socket: Socket<In, Out, Replies> = {
    on(type, handler) {
      usable()
      return events.on(type, handler)
    },
    once(type, handler) {
      usable()
      return events.on(type, handler, true)
    },
    off: events.off,
    getSnapshot: snapshot,
    subscribe: (listener) => (disposed ? noop : events.on('state', () => listener())),
    // Not `...[data]`: the hot path, and the arguments array would be built on every call.
    send: atomic((type: string, data?: unknown) => {
      typed(type)
      if (settings.logSensitive) log('debug', 'send', type, data)
      return outbox.send({ type, data, frame: encode(data === undefined ? { type } : { type, data }) })
    }),
    sendRaw: atomic((frame) => {
      usable()
      if (typeof frame !== 'string' && !isBinary(frame)) {
        throw new LifelineError('ENCODE_FAILED', 'not a string or binary')
      }
      return outbox.send({ type: undefined, data: frame, frame })
    }),
    request: atomic((type: string, data?: unknown, options?: RequestOptions) => {
      typed(type)
      return requests.request(type, data, options) as never
    }),
    handle(type, handler) {
      usable()
      return requests.handle(type, handler as (data: never) => unknown)
    },
    open: atomic(() => {
      usable()
      if (state.status !== 'idle' && state.status !== 'closed') return
      watch()
      dispatch({ type: 'connect', reset: true })
      attempt()
    }),
    close: atomic((code = NORMAL, reason = '') => {
      if (typeof reason !== 'string' || !isUserCloseCode(code) || frameBytes(reason) > 123) {
        throw new LifelineError('INVALID_OPTIONS', 'close takes 1000 or 3000-4999 and a reason of <= 123 bytes')
      }
      const { status } = state
      if (status === 'closed') return
      const info = { code, reason, wasClean: true }
      teardown(info)
      closeForGood(status === 'idle' ? null : info)
    }),
    reconnect: atomic((options) => {
      usable()
      const { status } = state
      if (status === 'idle' || status === 'closed') return socket.open()
      if (status === 'connecting' && !options?.force) return dispatch({ type: 'connect', reset: true })
      const info = { code: NORMAL, reason: 'reconnect', wasClean: true }
      const wasOpen = status === 'open'
      teardown(info)
      dispatch({ type: 'connect', reset: true, ...(wasOpen && { close: info }) })
      if (wasOpen) emit('close', { ...info, willReconnect: true })
      attempt()
    }),
    dispose: atomic(() => {
      if (disposed) return
      disposed = true
      socket.close()
      events.clear()
    }),
  }
  return socket
}
