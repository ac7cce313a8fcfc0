import { after, MAX_TIMER_DELAY, type Timer } from './clock.js'
import { ABNORMAL } from './closeCodes.js'
import type { Envelope, Frame } from './codec.js'
import { type Emitter, STALE } from './emitter.js'
import { findWebSocket, isOpen, resolveUrl } from './environment.js'
import { fail, isLifelineError, LifelineError } from './errors.js'
import type { Heartbeat, HeartbeatSettings } from './heartbeat.js'
import type { Link } from './link.js'
import { redactUrl } from './logger.js'
import type { Settings, UrlOption } from './options.js'
import { authMessage } from './protocol/auth.js'
import { FORBIDDEN, UNAUTHORIZED } from './protocol/closeCodes.js'
import type { Requests } from './requests.js'
import { retryDelay } from './retryPolicy.js'
import type { SendGate } from './sendGate.js'
import type { SnapshotStore } from './snapshotStore.js'
import type { CloseInfo, LifecycleEvents } from './types.js'

const DROPPED_LINK: CloseInfo = Object.freeze({ code: ABNORMAL, reason: '', wasClean: false })

/** How long before its expiry a token is refreshed, at most, in ms (and at most a quarter of its life). */
const REFRESH_AHEAD = 30_000

/** A value, or the result of calling it; a function that throws gives a rejected promise. */
const provide = <T>(value: T | (() => T | Promise<T>)) =>
  typeof value === 'function' ? new Promise<T>((resolve) => resolve((value as () => T | Promise<T>)())) : value

/** What the attempts ask of their socket. */
export interface AttemptsHost {
  readonly url: UrlOption
  readonly settings: Pick<
    Settings,
    'connectTimeout' | 'protocols' | 'WebSocket' | 'logSensitive' | 'reconnect' | 'auth'
  >
  readonly link: Link
  readonly heartbeat: Heartbeat
  readonly gate: SendGate
  readonly snapshot: SnapshotStore
  readonly events: Pick<Emitter<LifecycleEvents>, 'emit' | 'emitFresh' | 'after' | 'atomic'>
  readonly requests: Pick<Requests, 'resend' | 'lost'>
  /** The socket's monotonic clock. */
  now(): number
  /** The heartbeat's settings for a new link, or `null` for none. */
  beat(): HeartbeatSettings | null
  /** Encodes a message with the socket's codec; throws `ENCODE_FAILED`. */
  encode(message: Envelope): Frame
  /** A background failure, emitted as `error`. */
  report(error: LifelineError): void
  log(level: 'debug', message: string): void
  /** Runs the `onOpen` option for the link of `generation`; returns what it returned. */
  onOpen(generation: number): unknown
  /** What the first flush waits for besides `onOpen` (a store's load), or `null`. */
  loading(): Promise<void> | null
  /** Status became `closed`: drop what waits, stop following the page. */
  closed(): void
}

/** The lifecycle of links; see {@link createAttempts}. */
export interface Attempts {
  /**
   * Starts an attempt now: `reset` zeroes the attempt counter; `close`, the link that the user's
   * `reconnect()` closed, is reported (`lastClose`, a `close` event).
   */
  start(reset: boolean, close?: CloseInfo): void
  /**
   * The link of `generation` completed its handshake: `onOpen`, then the queue, then `open`; with
   * `auth`, the token first, and the rest once the server accepts it.
   */
  opened(generation: number): void
  /** The server accepted the link (or a refreshed token); the token expires in `expiresIn` ms. */
  accepted(expiresIn: unknown): void
  /**
   * The link or attempt is gone. `close` is what the WebSocket reported (null when Lifeline
   * gave up on it); `error` is reported first when there is one. Retries, or closes for good.
   */
  lose(close: CloseInfo | null, error: LifelineError | null): void
  /** Abandons the link, its attempt and their timers. `close` closes it politely, else it is cut. */
  teardown(close?: CloseInfo): void
  /** Status becomes `closed`: emits `close` (when there was a link or attempt), then drops what waits. */
  closeForGood(close: CloseInfo | null): void
}

/**
 * Attempts, the links they open and the waits between them: the URL and protocols (functions are
 * called per attempt), the connect timeout, `onOpen` and the first flush, the retry policy and its
 * timer, the stable timer that zeroes the attempt counter. Every step checks the link's generation
 * after user code ran (a URL function, `onOpen`, `shouldReconnect`), so a step of an abandoned
 * attempt changes nothing.
 */
export function createAttempts(host: AttemptsHost): Attempts {
  const { url, settings, link, heartbeat, gate, snapshot, events, requests } = host
  const { atomic, emit, emitFresh } = events
  const retry = settings.reconnect
  /** When the current run of failed attempts began, on the monotonic clock. */
  let failingSince = 0
  let retryTimer: Timer | undefined
  let connectTimer: Timer | undefined
  let stableTimer: Timer | undefined
  let refreshTimer: Timer | undefined
  /** The token of the current attempt, for its link's first frame. */
  let token: unknown
  /** The generation of the link that sent its token and waits for the server's accept; 0 for none. */
  let awaitingAccept = 0
  const { auth } = settings
  /** Calls `auth`; a throw or rejection is `AUTH_FAILED`. */
  const fetchToken = () =>
    (provide(auth) as Promise<unknown>).catch((cause) => {
      throw fail('AUTH_FAILED', 'auth() failed', cause)
    })
  const sendToken = (value: unknown) => link.send(host.encode(authMessage(value)))

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
            if (current() && snapshot.state.status === 'connecting') {
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
        host.log('debug', `connecting to ${settings.logSensitive ? href : redactUrl(href)}`)
        link.open(findWebSocket(settings.WebSocket), href, resolvedProtocols)
      } catch (cause) {
        lose(null, isLifelineError(cause) ? cause : fail('CONNECT_FAILED', 'WebSocket threw', cause))
      }
    }
    // After the `state` event: a handler that closes the socket at `connecting` stops the attempt
    // before any WebSocket exists.
    if (typeof url !== 'function' && typeof protocols !== 'function' && !auth) {
      return events.after(() => {
        if (current()) create(url, protocols)
      })
    }
    Promise.all([provide(url), provide(protocols), auth && fetchToken()]).then(
      atomic(([target, resolved, fetched]) => {
        token = fetched
        if (current()) create(target, resolved)
      }),
      atomic((cause) => {
        if (current())
          lose(null, isLifelineError(cause) ? cause : fail('URL_PROVIDER_FAILED', 'url or protocols failed', cause))
      }),
    )
  }

  /** Writes the requests to resend and the queue to the link, in order, then reports the link open. */
  function flush(): void {
    const ws = link.ws
    if (!ws || !isOpen(ws)) return // closing already: its close event decides what happens next
    requests.resend(link.send)
    gate.write()
    clearTimeout(connectTimer)
    if (retry)
      stableTimer = after(
        atomic(() => snapshot.dispatch({ type: 'stable' })),
        retry.stableAfter,
      )
    snapshot.dispatch({ type: 'open' })
    host.log('debug', 'open')
    const generation = link.generation
    emitFresh('open', () => (generation === link.generation ? undefined : STALE))
  }

  function start(reset: boolean, close?: CloseInfo): void {
    clearTimeout(retryTimer)
    snapshot.dispatch({ type: 'connect', reset, close })
    if (close) emit('close', { ...close, willReconnect: true })
    attempt()
  }

  function opened(generation: number): void {
    heartbeat.start(host.beat())
    if (!auth) return proceed(generation)
    // The token first; `onOpen` and the queue wait for the server's accept.
    try {
      sendToken(token)
    } catch (cause) {
      return lose(null, cause as LifelineError)
    }
    awaitingAccept = generation
  }

  function accepted(expiresIn: unknown): void {
    const generation = link.generation
    if (auth && typeof expiresIn === 'number' && expiresIn > 0) {
      clearTimeout(refreshTimer)
      const expiresAt = host.now() + expiresIn
      const refresh = (wait: number) => {
        refreshTimer = after(() => {
          fetchToken().then(
            atomic((fresh) => {
              if (generation !== link.generation || snapshot.state.status !== 'open') return
              try {
                sendToken(fresh)
              } catch (error) {
                host.report(error as LifelineError)
              }
            }),
            atomic((error) => {
              if (generation !== link.generation) return
              host.report(error)
              // Again, halfway to the expiry; past it the server closes with 4001 and a new link brings a new token.
              const left = expiresAt - host.now()
              if (left > 1000) refresh(left / 2)
            }),
          )
        }, wait)
      }
      refresh(expiresIn - Math.min(REFRESH_AHEAD, expiresIn / 4))
    }
    if (awaitingAccept === generation && snapshot.state.status === 'connecting') {
      awaitingAccept = 0
      proceed(generation)
    }
  }

  /** `onOpen`, then the first flush, once the link may carry them. */
  function proceed(generation: number): void {
    const failed = atomic((cause: unknown) => {
      if (generation === link.generation) lose(null, fail('HANDLER_FAILED', 'onOpen threw', cause))
    })
    let result: unknown
    // Sends during its synchronous part go first, through the handle or the outer variable.
    try {
      result = gate.first(generation, () => host.onOpen(generation))
    } catch (cause) {
      return failed(cause)
    }
    if (generation !== link.generation) return // onOpen closed or replaced the link
    const loading = host.loading()
    if (loading) result = Promise.all([result, loading])
    if (typeof (result as Promise<unknown> | undefined)?.then !== 'function') return flush()
    ;(result as Promise<unknown>).then(
      atomic(() => {
        if (generation === link.generation) flush()
      }),
      failed,
    )
  }

  function lose(close: CloseInfo | null, error: LifelineError | null): void {
    const wasOpen = snapshot.state.status === 'open'
    teardown()
    const refused = close?.code === UNAUTHORIZED || close?.code === FORBIDDEN
    if (refused || error) host.report(refused ? new LifelineError('AUTH_REFUSED', `refused: ${close?.code}`) : error!)
    const reported = close ?? (wasOpen ? DROPPED_LINK : null)
    if (!snapshot.state.attempt) failingSince = host.now()
    const generation = link.generation
    const delay = retryDelay(retry, snapshot.state.attempt + 1, close, host.now() - failingSince, (cause) =>
      host.report(fail('HANDLER_FAILED', 'shouldReconnect threw', cause)),
    )
    // shouldReconnect is user code: it may have closed or reconnected the socket.
    if (generation !== link.generation || snapshot.state.status === 'closed') return
    if (delay === null) return closeForGood(reported ?? snapshot.state.lastClose ?? DROPPED_LINK)
    snapshot.dispatch({ type: 'wait', at: Date.now() + delay, close: reported })
    if (wasOpen && reported) emit('close', { ...reported, willReconnect: true })
    const { attempt: next } = snapshot.state
    host.log('debug', `reconnecting in ${delay} ms (attempt ${next})`)
    emitFresh('reconnecting', () =>
      generation === link.generation && snapshot.state.status === 'reconnecting' ? { attempt: next, delay } : STALE,
    )
    retryTimer = after(
      atomic(() => start(false)),
      delay,
    )
  }

  function teardown(close?: CloseInfo): void {
    link.drop(close)
    gate.reset()
    heartbeat.stop()
    awaitingAccept = 0
    clearTimeout(refreshTimer)
    clearTimeout(connectTimer)
    clearTimeout(stableTimer)
    clearTimeout(retryTimer)
    requests.lost()
  }

  function closeForGood(close: CloseInfo | null): void {
    snapshot.dispatch({ type: 'close', close })
    if (close) emit('close', { ...close, willReconnect: false })
    host.closed()
  }

  return { start, opened, accepted, lose, teardown, closeForGood }
}
