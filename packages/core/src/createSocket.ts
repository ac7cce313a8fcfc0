import { createAttempts } from './attempts.js'
import { watchBrowser } from './browserEvents.js'
import { monotonic } from './clock.js'
import { isUserCloseCode, NORMAL } from './closeCodes.js'
import { type Envelope, type Frame, frameBytes, isBinary } from './codec.js'
import { createEmitter } from './emitter.js'
import { findWindow, isOpen, reportUncaught } from './environment.js'
import { fail, LifelineError } from './errors.js'
import { createHeartbeat, type HeartbeatSettings } from './heartbeat.js'
import { createInbox } from './inbox.js'
import { createLink } from './link.js'
import { HEARTBEAT, type Settings, section, type UrlOption } from './options.js'
import { createOutbox } from './outbox.js'
import { ACCEPT, type AcceptData } from './protocol/auth.js'
import { createPersistence } from './queueStore.js'
import { createRequests, type RequestOptions } from './requests.js'
import { createSendGate } from './sendGate.js'
import { createSnapshotStore } from './snapshotStore.js'
import type { Socket } from './socket.js'
import type { MessageMap, SocketEvents } from './types.js'

const noop = () => {}

/**
 * The socket behind {@link connect}: it wires the parts together and holds the public API. The
 * snapshot store is the only place the state changes, through {@link transition}; the link,
 * inbox, outbox, send gate, heartbeat, attempts and requests each do one job. Every entry point
 * (a method, a WebSocket callback, a timer) runs to completion before any event goes out, so
 * whatever a handler calls starts from committed state; and every path checks the link's
 * generation after user code ran.
 */
export function createSocket<In extends MessageMap<In>, Out, Replies>(
  url: UrlOption,
  settings: Settings<In, Out>,
): Socket<In, Out, Replies> {
  const { logger, codec, logSensitive } = settings
  const now = monotonic()
  let disposed = false
  let unwatch: (() => void) | null = null
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
  const log = (level: 'debug' | 'warn', ...args: unknown[]) => logger?.[level]?.('[lifeline]', ...args)

  const snapshot = createSnapshotStore({
    counts: () => ({ queued: outbox.size(), pending: requests.size() }),
    has: events.has,
    emitFresh: events.emitFresh,
  })
  const status = () => snapshot.state.status
  const report = (error: LifelineError) => {
    log('warn', `${error.code}: ${error.message}`)
    snapshot.dispatch({ type: 'update', changes: { lastError: error } })
    emit('error', error)
  }
  /** The queue or the pending requests changed: the counts are read when the snapshot is next. */
  const counted = () => {
    snapshot.counted()
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
    open: atomic(() => attempts.opened(link.generation)),
    // Not an action of its own: the hot path. What it changes goes through actions (a pong, a
    // held queue), and the events it emits last go out at once.
    message: (frame) => inbox(frame),
    end: atomic((close) =>
      attempts.lose(close, status() === 'open' ? null : new LifelineError('CONNECT_FAILED', 'not open')),
    ),
  })
  /** The heartbeat's settings: the option's; when it is not set, what a Lifeline server advised. */
  let beat: HeartbeatSettings | null = settings.heartbeat ?? null
  const heartbeat = createHeartbeat({
    now,
    ping: atomic(() => {
      const ws = link.ws
      if (!ws || !isOpen(ws)) return
      try {
        // A string or binary ping is a ready frame; anything else is a message for the codec.
        const ping = beat?.ping()
        link.send(typeof ping === 'string' || isBinary(ping) ? ping : encode(ping as Envelope))
      } catch (cause) {
        report(fail('ENCODE_FAILED', 'cannot encode the ping', cause))
      }
    }),
    dead: atomic(() => attempts.lose(null, new LifelineError('HEARTBEAT_TIMEOUT', 'no pong'))),
  })
  const gate = createSendGate({
    link,
    heartbeat,
    highWaterMark: settings.highWaterMark,
    status,
    queued: () => outbox.size(),
    flush: (writer, room) => requests.written(outbox.flush(writer, room)),
    atomic,
  })
  const outbox = createOutbox(settings.queue, {
    now,
    closed: () => status() === 'closed',
    writable: gate.writable,
    dropped(message, reason) {
      const { type, data, id } = message
      emit('drop', id === undefined ? { type, data, reason } : { type, data, reason, id })
      if (id !== undefined) requests.dropped(id, reason)
    },
    changed: counted,
    atomic,
  })
  const requests = createRequests({
    send: outbox.send,
    queued: outbox.has,
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
      waiting: () => requests.unanswered().concat(outbox.items),
      decode: (frame) => codec.decode(frame),
      // Loaded once, at once: what an earlier page stored goes ahead of everything sent since.
      adopt: atomic((messages) => {
        outbox.adopt(messages)
        // Items that came after the first flush stopped waiting for them go out now.
        gate.drain()
      }),
      report,
    })
  if (persistence)
    loading = persistence.loaded.then(() => {
      loading = null
    })
  const inbox = createInbox(settings, {
    isPong: (message) => beat?.isPong(message),
    alive() {
      heartbeat?.received()
      gate.answered()
    },
    pong() {
      const latency = heartbeat?.pong()
      if (latency == null) return
      snapshot.dispatch({ type: 'update', changes: { latency } })
      emit('latency', latency)
    },
    report,
    route(message) {
      if (logSensitive) log('debug', 'received', message)
      if ((message as Envelope | null)?.type !== ACCEPT) return requests.route(message)
      accepted((message as Envelope<string, AcceptData | undefined>).data)
      return true
    },
    emit,
  })
  const attempts = createAttempts({
    url,
    settings,
    link,
    heartbeat,
    gate,
    snapshot,
    events,
    requests,
    now,
    beat: () => beat,
    encode,
    report,
    log,
    onOpen: (generation) => settings.onOpen?.(firstSends(generation)),
    loading: () => loading,
    closed() {
      unwatch?.()
      unwatch = null
      outbox.clear('closed')
      requests.close()
      persistence?.stop()
    },
  })

  /** A Lifeline server accepted the link: its advice turns on the heartbeat, when the option is not set. */
  function accepted(data: AcceptData | undefined) {
    const advised = data?.heartbeat
    if (settings.heartbeat === undefined && advised) {
      try {
        beat = section('heartbeat', { interval: advised.interval, timeout: advised.timeout }, false, HEARTBEAT)
        if (!heartbeat.running()) heartbeat.start(beat)
      } catch {
        // Advice that is not a valid heartbeat is no advice.
      }
    }
    attempts.accepted(data?.expiresIn)
  }

  /** The socket as `onOpen` sees it: the same, except that its sends go out ahead of the queue. */
  function firstSends(generation: number): Socket<In, Out, Replies> {
    return {
      ...socket,
      send: (...args) => gate.first(generation, () => socket.send(...args)),
      sendRaw: (frame) => gate.first(generation, () => socket.sendRaw(frame)),
      request: (...args) => gate.first(generation, () => socket.request(...args)),
    }
  }

  // ---- browser events ------------------------------------------------------------------

  /** Checks an open link after a network change, holding sends until it answers. */
  const probe = () => {
    if (status() === 'open' && heartbeat.running()) gate.doubt(true)
  }
  const watch = () => {
    const option = settings.browserEvents
    const target = option === true ? findWindow() : option || null
    if (!target || unwatch) return
    unwatch = watchBrowser(target, {
      online: atomic(() => (status() === 'reconnecting' ? attempts.start(true) : probe())),
      // navigator.onLine is often wrong: `offline` is a reason to check, not a verdict.
      offline: atomic(probe),
      resume: atomic(() => {
        if (status() === 'open' && heartbeat.expired()) gate.doubt()
      }),
    })
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
    getSnapshot: snapshot.read,
    subscribe: (listener) => (disposed ? noop : events.on('state', () => listener())),
    // Not `...[data]`: the hot path, and the arguments array would be built on every call.
    send: atomic((type: string, data?: unknown) => {
      typed(type)
      if (logSensitive) log('debug', 'send', type, data)
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
      const current = status()
      if (current !== 'idle' && current !== 'closed') return
      watch()
      attempts.start(true)
    }),
    close: atomic((code = NORMAL, reason = '') => {
      if (typeof reason !== 'string' || !isUserCloseCode(code) || frameBytes(reason) > 123) {
        throw new LifelineError('INVALID_OPTIONS', 'close takes 1000 or 3000-4999 and a reason of <= 123 bytes')
      }
      const current = status()
      if (current === 'closed') return
      const info = { code, reason, wasClean: true }
      attempts.teardown(info)
      attempts.closeForGood(current === 'idle' ? null : info)
    }),
    reconnect: atomic((options) => {
      usable()
      const current = status()
      if (current === 'idle' || current === 'closed') return socket.open()
      if (current === 'connecting' && !options?.force) return snapshot.dispatch({ type: 'connect', reset: true })
      const info = { code: NORMAL, reason: 'reconnect', wasClean: true }
      attempts.teardown(info)
      attempts.start(true, current === 'open' ? info : undefined)
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
