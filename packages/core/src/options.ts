import { type Jitter, MAX_TIMER_DELAY } from './backoff.js'
import { type Codec, jsonCodec } from './codec.js'
import { type BrowserEventTarget, findWebSocket, type WebSocketConstructor } from './environment.js'
import { LifelineError } from './errors.js'
import type { HeartbeatSettings } from './heartbeat.js'
import { type Logger, toLogger } from './logger.js'
import type { Overflow, QueueLimits } from './sendQueue.js'
import type { Socket } from './socket.js'
import type { CloseInfo, MessageMap } from './types.js'

/** A URL, or a function that returns one (sync or async), called before every attempt. */
export type UrlOption = string | URL | (() => string | URL | Promise<string | URL>)

/** Subprotocols, or a function that returns them (sync or async), called before every attempt. */
export type ProtocolsOption = string | string[] | (() => string | string[] | Promise<string | string[]>)

/** How Lifeline retries after a link drops or an attempt fails. */
export interface ReconnectOptions {
  /**
   * Delay cap for the first retry, in ms.
   * @default 1000
   */
  initialDelay?: number
  /**
   * Largest delay between retries, in ms.
   * @default 30_000
   */
  maxDelay?: number
  /**
   * How much the delay cap grows per attempt (at least 1).
   * @default 2
   */
  factor?: number
  /**
   * How the delay is spread: `'full'` draws in [0, cap], `'equal'` in [cap/2, cap], `'none'` waits exactly cap.
   * @default 'full'
   */
  jitter?: Jitter
  /**
   * Retries before giving up (the socket then becomes `closed`).
   * @default Infinity
   */
  maxAttempts?: number
  /**
   * How long a link must stay open, in ms, before the attempt counter returns to 0.
   * @default 5000
   */
  stableAfter?: number
  /**
   * Decides whether a close from the server is retried, replacing the default policy
   * ({@link defaultShouldReconnect}). It never overrides your own `close()`, `maxAttempts`
   * or the longer wait after 1013.
   */
  shouldReconnect?: (close: CloseInfo) => boolean
}

/** How Lifeline notices a dead link. */
export interface HeartbeatOptions {
  /**
   * Silence, in ms, after which a ping is sent.
   * @default 25_000
   */
  interval?: number
  /**
   * How long to wait for any incoming message after a ping, in ms, before the link counts as dead.
   * @default 10_000
   */
  timeout?: number
  /**
   * Builds the ping message, handed to the codec like `send`'s.
   * @default () => ({ type: 'ping' })
   */
  ping?: () => unknown
  /**
   * Recognises the pong among decoded messages; pongs are not delivered to handlers.
   * @default (message) => message is `{ type: 'pong' }` or the frame `'pong'`
   */
  isPong?: (message: unknown) => boolean
}

/** The offline send queue. */
export interface QueueOptions {
  /**
   * Most messages kept while not open.
   * @default 1000
   */
  maxMessages?: number
  /**
   * Most bytes kept (UTF-8 bytes of the encoded frames).
   * @default 1_048_576
   */
  maxBytes?: number
  /**
   * When full: `'drop-oldest'` evicts the oldest, `'drop-newest'` refuses the new message,
   * `'error'` throws `QUEUE_FULL` from `send`.
   * @default 'drop-oldest'
   */
  overflow?: Overflow
  /**
   * How long a message may wait, in ms, before it is dropped with reason `'expired'`.
   * @default Infinity
   */
  ttl?: number
}

/**
 * Options of {@link connect}.
 *
 * @typeParam In - incoming message types, as `{ type: payload }`.
 * @typeParam Out - outgoing message types, as `{ type: payload }`.
 */
export interface ConnectOptions<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>> {
  /** Subprotocols, or a function returning them, called before every attempt. */
  protocols?: ProtocolsOption
  /**
   * The WebSocket constructor, e.g. `ws` in Node 20.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor
  /**
   * Connect at once; `false` waits for `socket.open()` (sends queue meanwhile).
   * @default true
   */
  autoConnect?: boolean
  /**
   * An attempt not open within this many ms is abandoned with `CONNECT_TIMEOUT` and retried.
   * @default 10_000
   */
  connectTimeout?: number
  /**
   * Reconnect with jittered exponential backoff: `true`, `false`, or settings.
   * @default true
   */
  reconnect?: boolean | ReconnectOptions
  /**
   * Ping after silence and drop a link that does not answer: `false`, `true`, or settings.
   * @default false
   */
  heartbeat?: boolean | HeartbeatOptions
  /**
   * Keep messages sent while not open and flush them in order on open: `true`, `false`, or limits.
   * @default true
   */
  queue?: boolean | QueueOptions
  /**
   * How messages map to frames.
   * @default jsonCodec
   */
  codec?: Codec
  /**
   * Runs on every (re)connect before the queue flushes; may be async. Sends made while it
   * runs go out first (authenticate, resubscribe). If it throws or rejects, the link is
   * dropped and retried.
   */
  onOpen?: (socket: Socket<In, Out>) => void | Promise<void>
  /**
   * Follow `online`, `offline`, `pageshow` and `visibilitychange` on `window`; or pass the
   * object to listen on.
   * @default true where `window` exists
   */
  browserEvents?: boolean | BrowserEventTarget
  /**
   * Incoming frames larger than this many bytes are dropped with `MESSAGE_TOO_LARGE`, unparsed.
   * @default 16_777_216
   */
  maxIncomingBytes?: number
  /**
   * Where to log: `false`, `true` for `console`, or an object with `debug`/`info`/`warn`/`error`.
   * @default false
   */
  logger?: boolean | Partial<Logger>
  /**
   * Log full URLs (query values included) and message payloads. Off, logs redact both.
   * @default false
   */
  logSensitive?: boolean
}

/** Reconnect settings with defaults applied. */
export interface ReconnectSettings {
  initialDelay: number
  maxDelay: number
  factor: number
  jitter: Jitter
  maxAttempts: number
  stableAfter: number
  shouldReconnect: ((close: CloseInfo) => boolean) | undefined
}

/** Options with defaults applied and validated. */
export interface Settings<In extends MessageMap<In>, Out> {
  protocols: ProtocolsOption | undefined
  WebSocket: WebSocketConstructor
  autoConnect: boolean
  connectTimeout: number
  reconnect: ReconnectSettings | null
  heartbeat: HeartbeatSettings | null
  queue: QueueLimits | null
  codec: Codec
  onOpen: ConnectOptions<In, Out>['onOpen']
  browserEvents: boolean | BrowserEventTarget
  maxIncomingBytes: number
  logger: Logger | null
  logSensitive: boolean
}

function invalid(name: string, expected: string): LifelineError {
  return new LifelineError('INVALID_OPTIONS', `${name} must be ${expected}`)
}

/** Checks one option; `undefined` gives `fallback`. */
function check<T>(name: string, value: unknown, fallback: T, valid: (v: never) => boolean, expected: string): T {
  if (value === undefined) return fallback
  if (!valid(value as never)) throw invalid(name, expected)
  return value as T
}

const isCount = (v: unknown) => typeof v === 'number' && v >= 0 // false for NaN
const isPositive = (v: unknown) => typeof v === 'number' && v > 0

/** A duration in ms, clamped to what timers accept. */
function ms(name: string, value: unknown, fallback: number, positive?: boolean): number {
  const valid = positive ? isPositive : isCount
  return Math.min(check(name, value, fallback, valid, `a number of ms ${positive ? '> 0' : '>= 0'}`), MAX_TIMER_DELAY)
}

const COUNT = 'a number >= 0'
const FUNCTION = 'a function'
const isFunction = (v: unknown) => typeof v === 'function'
const oneOf =
  (...allowed: unknown[]) =>
  (v: unknown) =>
    allowed.includes(v)

function section<T extends object>(name: string, value: boolean | T | undefined, fallback: boolean): T | null {
  const given = value ?? fallback
  if (given === false) return null
  if (given === true) return {} as T
  if (typeof given !== 'object' || given === null) throw invalid(name, 'a boolean or an object')
  return given
}

const isPongDefault = (message: unknown): boolean =>
  message === 'pong' || (message as { type?: unknown } | null)?.type === 'pong'

const pingDefault = () => ({ type: 'ping' })

/** Applies defaults and validates; throws `INVALID_OPTIONS` or `NO_WEBSOCKET`. */
export function resolveOptions<In extends MessageMap<In>, Out>(
  options: ConnectOptions<In, Out> = {},
): Settings<In, Out> {
  const reconnect = section<ReconnectOptions>('reconnect', options.reconnect, true)
  const heartbeat = section<HeartbeatOptions>('heartbeat', options.heartbeat, false)
  const queue = section<QueueOptions>('queue', options.queue, true)
  const codec = check(
    'codec',
    options.codec,
    jsonCodec,
    (c: Codec) => isFunction(c?.encode) && isFunction(c.decode),
    'a Codec',
  )
  const protocols = options.protocols
  const browserEvents = check(
    'browserEvents',
    options.browserEvents,
    true,
    (v: BrowserEventTarget) => typeof v === 'boolean' || isFunction(v?.addEventListener),
    'a boolean or an event target',
  )
  return {
    protocols: check(
      'protocols',
      protocols,
      undefined,
      (v) => ['string', 'function'].includes(typeof v) || Array.isArray(v),
      'a string, an array or a function',
    ),
    WebSocket: findWebSocket(options.WebSocket),
    autoConnect: options.autoConnect ?? true,
    connectTimeout:
      options.connectTimeout === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : ms('connectTimeout', options.connectTimeout, 10_000, true),
    reconnect: reconnect && {
      initialDelay: ms('reconnect.initialDelay', reconnect.initialDelay, 1000),
      maxDelay: ms('reconnect.maxDelay', reconnect.maxDelay, 30_000),
      factor: check(
        'reconnect.factor',
        reconnect.factor,
        2,
        (v: unknown) => typeof v === 'number' && v >= 1 && v < Infinity,
        'a number >= 1',
      ),
      jitter: check(
        'reconnect.jitter',
        reconnect.jitter,
        'full',
        oneOf('full', 'equal', 'none'),
        "'full', 'equal' or 'none'",
      ),
      maxAttempts: check('reconnect.maxAttempts', reconnect.maxAttempts, Infinity, isCount, COUNT),
      stableAfter: ms('reconnect.stableAfter', reconnect.stableAfter, 5000),
      shouldReconnect: check('reconnect.shouldReconnect', reconnect.shouldReconnect, undefined, isFunction, FUNCTION),
    },
    heartbeat: heartbeat && {
      interval: ms('heartbeat.interval', heartbeat.interval, 25_000, true),
      timeout: ms('heartbeat.timeout', heartbeat.timeout, 10_000, true),
      ping: check('heartbeat.ping', heartbeat.ping, pingDefault, isFunction, FUNCTION),
      isPong: check('heartbeat.isPong', heartbeat.isPong, isPongDefault, isFunction, FUNCTION),
    },
    queue: queue && {
      maxMessages: check('queue.maxMessages', queue.maxMessages, 1000, isCount, COUNT),
      maxBytes: check('queue.maxBytes', queue.maxBytes, 1_048_576, isCount, COUNT),
      overflow: check(
        'queue.overflow',
        queue.overflow,
        'drop-oldest',
        oneOf('drop-oldest', 'drop-newest', 'error'),
        "'drop-oldest', 'drop-newest' or 'error'",
      ),
      ttl: check('queue.ttl', queue.ttl, Infinity, isCount, COUNT),
    },
    codec,
    onOpen: check('onOpen', options.onOpen, undefined, isFunction, FUNCTION),
    browserEvents,
    maxIncomingBytes: check('maxIncomingBytes', options.maxIncomingBytes, 16 * 1024 * 1024, isCount, COUNT),
    logger: toLogger(options.logger),
    logSensitive: options.logSensitive ?? false,
  }
}
