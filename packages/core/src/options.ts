import { MAX_TIMER_DELAY } from './clock.js'
import { type Codec, jsonCodec } from './codec.js'
import { type BrowserEventTarget, findWebSocket, type WebSocketConstructor } from './environment.js'
import { LifelineError } from './errors.js'
import type { HeartbeatOptions, HeartbeatSettings } from './heartbeat.js'
import { type Logger, toLogger } from './logger.js'
import type { QueueOptions, QueueSettings } from './outbox.js'
import { isPong, ping } from './protocol/pingPong.js'
import type { ReconnectOptions, ReconnectSettings } from './retryPolicy.js'
import type { Socket } from './socket.js'
import type { MessageMap } from './types.js'

/** A URL, or a function that returns one (sync or async), called before every attempt. */
export type UrlOption = string | URL | (() => string | URL | Promise<string | URL>)

/** Subprotocols, or a function that returns them (sync or async), called before every attempt. */
export type ProtocolsOption = string | string[] | (() => string | string[] | Promise<string | string[]>)

/**
 * Options of {@link connect}.
 *
 * @typeParam In - incoming message types, as `{ type: payload }`.
 * @typeParam Out - outgoing message types, as `{ type: payload }`.
 * @typeParam Replies - reply types of requests, keyed by the outgoing type asked (for `onOpen`'s socket).
 */
export interface ConnectOptions<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
> {
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
   * Ping after silence and drop a link that does not answer: `false`, `true`, or settings. Not
   * set, it runs as a Lifeline server's accept advises (every 25 s, 10 s to answer, by default)
   * and stays off against other servers.
   * @default as the server advises, else off
   */
  heartbeat?: boolean | HeartbeatOptions
  /**
   * Returns the token (any JSON value; may be async) that goes in the first frame of every link,
   * never in the URL. Nothing queued, and no `onOpen` send, goes out before the server accepts
   * it; before the token expires (the server says when) `auth` is called again and the fresh
   * token sent on the open link, with no drop. If it throws or rejects: an `error` with code
   * `AUTH_FAILED`, and the link is retried with backoff. A server that refuses the token
   * (4401, 4403) closes the socket for good (`AUTH_REFUSED`). Needs a server that accepts it,
   * such as `@lifeline/server`'s `authenticate`; see the auth guide.
   * @default none
   * @example
   * ```ts
   * connect('wss://example.com/live', { auth: async () => (await session.token()).accessToken })
   * ```
   */
  auth?: () => unknown
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
   * Runs on every (re)connect before the queue flushes; may be async. Sends made through
   * the socket it receives go out first (authenticate, resubscribe); sends from elsewhere
   * meanwhile wait behind the queue. If it throws or rejects, the link is dropped and retried.
   */
  onOpen?: (socket: Socket<In, Out, Replies>) => void | Promise<void>
  /**
   * Bytes the link may hold unsent (the WebSocket's `bufferedAmount`) before sends wait in the
   * queue instead, with its limits and drops, until the link drains: memory stays bounded when a
   * burst meets a slow link.
   * @default 1_048_576
   */
  highWaterMark?: number
  /**
   * How long `request()` waits for its reply once the request is first written to a link, in ms,
   * unless the call says otherwise; `Infinity` waits for ever. Time queued while offline does not
   * count (the queue's `ttl` or a request's `signal` bounds it), and a resend does not restart it.
   * @default 10_000
   */
  requestTimeout?: number
  /**
   * Follow `online`, `offline`, `pageshow` and `visibilitychange` on `window`; or pass the
   * object to listen on.
   * @default true where `window` exists
   */
  browserEvents?: boolean | BrowserEventTarget
  /**
   * Incoming frames larger than this many bytes are dropped with `MESSAGE_TOO_LARGE`, unparsed
   * (the server's limit has the same name).
   * @default 16_777_216
   */
  maxMessageBytes?: number
  /** @deprecated The former name of {@link ConnectOptions.maxMessageBytes}, still taken. */
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

/** Options with defaults applied and validated. */
export interface Settings<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>>
  extends Required<
    Omit<
      ConnectOptions<In, Out>,
      'protocols' | 'WebSocket' | 'onOpen' | 'auth' | Sections | 'logger' | 'maxIncomingBytes'
    >
  > {
  auth: ConnectOptions['auth']
  protocols: ConnectOptions['protocols']
  /** The constructor passed, or `undefined` to use the global one at each attempt. */
  WebSocket: WebSocketConstructor | undefined
  onOpen: ConnectOptions<In, Out>['onOpen']
  reconnect: ReconnectSettings | null
  /** `undefined` when not set: as a Lifeline server advises. */
  heartbeat: HeartbeatSettings | null | undefined
  queue: QueueSettings | null
  logger: Partial<Logger> | null
}

const SECTIONS = ['reconnect', 'heartbeat', 'queue'] as const
type Sections = (typeof SECTIONS)[number]

/**
 * Checks one option and applies its default: returns the value to use, or throws the words
 * saying what it must be (see {@link must}).
 */
// biome-ignore lint/suspicious/noExplicitAny: a rule takes whatever the user passed.
type Rule = (value: any) => unknown

/** Throws what an option must be; `apply` adds the option's name. */
const must = (expected: string): never => {
  throw expected
}
const isCount = (v: unknown): v is number => typeof v === 'number' && v >= 0 // false for NaN
/** A duration in ms, clamped to what timers accept. */
const ms =
  (fallback: number, positive?: boolean): Rule =>
  (v = fallback) =>
    isCount(v) && (!positive || v > 0)
      ? Math.min(v, MAX_TIMER_DELAY)
      : must(`a number of ms ${positive ? '> 0' : '>= 0'}`)
const count =
  (fallback: number): Rule =>
  (v = fallback) =>
    isCount(v) ? v : must('a number >= 0')
const fn =
  (fallback?: unknown): Rule =>
  (v = fallback) =>
    v === undefined || typeof v === 'function' ? v : must('a function')
const oneOf =
  (...allowed: unknown[]): Rule =>
  (v = allowed[0]) =>
    allowed.includes(v) ? v : must(allowed.join(' | '))

const RECONNECT = {
  initialDelay: ms(1800),
  maxDelay: ms(3000),
  factor: (v = 2) => (v >= 1 && v < Infinity ? v : must('a number >= 1')),
  jitter: oneOf('full', 'equal', 'none'),
  maxAttempts: count(Infinity),
  stableAfter: ms(5000),
  shouldReconnect: fn(),
} satisfies Record<keyof ReconnectSettings, Rule>

export const HEARTBEAT = {
  interval: ms(25_000, true),
  timeout: ms(10_000, true),
  ping: fn(ping),
  isPong: fn(isPong),
} satisfies Record<keyof HeartbeatSettings, Rule>

const QUEUE = {
  maxMessages: count(1000),
  maxBytes: count(1_048_576),
  overflow: oneOf('drop-oldest', 'drop-newest', 'error'),
  ttl: count(Infinity),
  store: (v) =>
    v === undefined || (typeof v?.load === 'function' && typeof v.save === 'function') ? v : must('a QueueStore'),
} satisfies Record<keyof QueueSettings, Rule>

type Top = Omit<Settings, Sections | 'WebSocket' | 'logger'>

const TOP = {
  protocols: (v) =>
    v === undefined || ['string', 'function'].includes(typeof v) || Array.isArray(v)
      ? v
      : must('a string, an array or a function'),
  autoConnect: oneOf(true, false),
  connectTimeout: ms(10_000, true),
  codec: (v: Codec = jsonCodec) =>
    typeof v?.encode === 'function' && typeof v.decode === 'function' ? v : must('a Codec'),
  onOpen: fn(),
  auth: fn(),
  requestTimeout: ms(10_000),
  highWaterMark: count(1_048_576),
  browserEvents: (v: unknown = true) =>
    typeof v === 'boolean' || typeof (v as BrowserEventTarget)?.addEventListener === 'function'
      ? v
      : must('a boolean or an event target'),
  maxMessageBytes: count(16 * 1024 * 1024),
  logSensitive: oneOf(false, true),
} satisfies Record<keyof Top, Rule>

/**
 * Checks the options in `rules` and fills in defaults; `prefix` names the section in errors. A
 * name that is neither a rule nor `also` is refused: a misspelt option would otherwise be ignored.
 */
function apply<T>(given: Record<string, unknown>, rules: Record<string, Rule>, prefix = '', also: string[] = []): T {
  const out: Record<string, unknown> = {}
  for (const key in given) {
    if (!(key in rules || also.includes(key))) {
      throw new LifelineError('INVALID_OPTIONS', `unknown option ${prefix}${key}`)
    }
  }
  for (const key in rules) {
    try {
      out[key] = (rules[key] as Rule)(given[key])
    } catch (expected) {
      throw new LifelineError('INVALID_OPTIONS', `${prefix}${key} must be ${expected}`)
    }
  }
  return out as T
}

/** `true` means defaults, `false` (or the fallback) means off, an object is checked against `rules`. */
export function section<T>(name: string, value: unknown, fallback: boolean, rules: Record<string, Rule>): T | null {
  const given = value ?? fallback
  if (given === false) return null
  if (given !== true && (typeof given !== 'object' || given === null)) {
    throw new LifelineError('INVALID_OPTIONS', `${name} must be a boolean or an object`)
  }
  return apply<T>(given === true ? {} : (given as Record<string, unknown>), rules, `${name}.`)
}

/** Applies defaults and validates; throws `INVALID_OPTIONS` or `NO_WEBSOCKET`. */
export function resolveOptions<In extends MessageMap<In>, Out>(
  options: ConnectOptions<In, Out> = {},
): Settings<In, Out> {
  // Checked now, so a runtime without WebSocket fails at connect(); looked up again at each attempt.
  findWebSocket(options.WebSocket)
  return {
    ...apply<Top>({ maxMessageBytes: options.maxIncomingBytes, ...options }, TOP, '', [
      'WebSocket',
      'logger',
      'maxIncomingBytes',
      ...SECTIONS,
    ]),
    WebSocket: options.WebSocket,
    reconnect: section('reconnect', options.reconnect, true, RECONNECT),
    heartbeat: options.heartbeat === undefined ? undefined : section('heartbeat', options.heartbeat, false, HEARTBEAT),
    queue: section('queue', options.queue, true, QUEUE),
    logger: toLogger(options.logger),
  } as Settings<In, Out>
}
