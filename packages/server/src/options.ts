import type { HeartbeatOptions } from '@lifeline/core/protocol'
import { type Adapter, memoryAdapter } from './adapter.js'
import type { Authenticate } from './auth.js'
import { LifelineServerError } from './errors.js'
import type { HistoryLimits } from './history.js'
import type { Peer, RateSettings } from './peer.js'
import { type PresenceOptions, type PresenceSettings, presenceSettings } from './presence.js'
import type { DedupeWindow } from './replyStore.js'
import { type DedupeKey, defaultFormatError, defaultScope } from './responder.js'
import type { ErrorReply, RequestInfo, UpgradeRequest } from './types.js'

/** What a peer asks of a channel: to join it (and be sent its publications), or to publish into it. */
export type ChannelAction = 'join' | 'publish'

/**
 * Decides whether a peer may join or publish into a channel: `true` (or a promise of it) allows;
 * anything else, a throw or a rejection refuses (`JOIN_REFUSED`, `PUBLISH_REFUSED`).
 */
export type Authorize<Data = Record<string, unknown>> = (
  // biome-ignore lint/suspicious/noExplicitAny: a peer of any message maps; `data` is what matters here
  peer: Peer<any, any, any, any, Data>,
  channel: string,
  action: ChannelAction,
) => boolean | PromiseLike<boolean>

/** Options of {@link attach}. `Data` is the type of `peer.data`, as `attach` declares it. */
export interface AttachOptions<Data = Record<string, unknown>> {
  /**
   * Where broadcasts, the dedupe window and channel history are shared with other instances of
   * the server: `{ broker, replies, history }`.
   * @default memoryAdapter() (this process only)
   */
  adapter?: Adapter
  /**
   * How much of each channel's history is kept for recovery: clients that come back are sent
   * what they missed from it, or told of a gap when it no longer reaches back.
   * @default { size: 1000, ttl: 300_000, positionTtl: 86_400_000 }
   */
  history?: HistoryOptions
  /**
   * Whether a peer may join a channel or publish into it; called for every `$join` (each rejoin
   * too) and every `$publish`. May be async. `true` allows; `false`, anything else, a throw or a
   * rejection refuses. Every peer may do everything unless given.
   * @default () => true
   * @example
   * ```ts
   * attach<In, Out, Replies, {}, { user: string }>(wss, {
   *   // `user:42` is joined by user 42 only, and published into by the server alone.
   *   authorize: (peer, channel, action) =>
   *     !channel.startsWith('user:') || (action === 'join' && channel === `user:${peer.data.user}`),
   * })
   * ```
   */
  authorize?: Authorize<Data>
  /**
   * Who is in each channel: the users of the peers joined to it, each once however many tabs
   * and connections it has, leaving `grace` ms after its last connection went (so a reconnect is
   * not a leave and a join). Clients ask for it with `channel(socket, name, { presence: true })`.
   * `false` turns it off.
   * @default { grace: 5000, ttl: 10_000 }
   * @example
   * ```ts
   * attach(wss, { presence: { grace: 10_000 }, adapter: redisAdapter({ url }) })
   * ```
   */
  presence?: PresenceOptions | false
  /**
   * The most channels one peer can be in at once; a join past it is refused (`JOIN_REFUSED`).
   * @default 100
   */
  maxChannels?: number
  /**
   * The request dedupe window: a request whose id was seen within it is answered with the first
   * reply instead of running its handler again. `false` runs every request.
   * @default { ttl: 300_000, max: 10_000 }
   */
  dedupe?: DedupeOptions | false
  /**
   * `ws`-level pings that cut dead peers: every `interval` ms each peer is pinged, and a peer
   * that has not answered the previous ping with a pong is terminated (`stats.deadPeers`). Only
   * the pong counts: a peer that writes but never reads what it is sent is dead all the same.
   * Browsers answer pings by themselves. `false` turns it off. (The client's own
   * `{"type":"ping"}` is always answered with `{"type":"pong"}`.)
   * @default { interval: 30_000 }
   */
  heartbeat?: Pick<HeartbeatOptions, 'interval'> | false
  /**
   * The largest frame read, in bytes. `attach` lowers the `ws` server's `maxPayload` to it, so a
   * larger frame is refused by `ws` from its header, before it is buffered, and the connection
   * closed with 1009 (a Lifeline client does not retry it: it would send the same frame again).
   * Counted in `stats.oversize`. A server that is not `ws` (no `options.maxPayload`) gets the
   * same 1009 once a frame over the limit has been read.
   * @default 1_048_576
   */
  maxMessageBytes?: number
  /**
   * The deepest JSON nesting (objects and arrays) read; deeper frames are ignored unparsed
   * (`stats.tooDeep`), found by a linear scan that cannot block the event loop.
   * @default 64
   */
  maxDepth?: number
  /**
   * Each peer's rate limit, a token bucket per peer over frames and bytes; the peers of one user
   * (named by `peer.data.userId` or `peer.data.id` once `authenticate` or `onConnection` set it)
   * share one on this instance. A peer over it is not read for 100 ms at least, and until its
   * bucket holds the next frame, so the rest of a flood waits in TCP, unparsed. A frame over it is
   * dropped (`stats.rateLimited`); a request over it is answered with the error `RATE_LIMITED`.
   * A peer that stays over it for `closeAfter` ms is closed with 4429 (`stats.rateLimitCuts`),
   * which a Lifeline client does not retry. `false` turns it off.
   * @default { messages: 1000, bytes: 4_194_304, burst: 2, closeAfter: 5000 }
   */
  rateLimit?: RateLimitOptions | false
  /**
   * The most requests one peer may have answered at once (running, or waiting for the first
   * attempt of the same id); more are answered at once with the error `BUSY` (`stats.busy`).
   * @default 100
   */
  maxInFlight?: number
  /**
   * How long a `handle` handler may run, in ms: past it the request is answered with the error
   * `HANDLER_TIMEOUT` (`stats.handlerTimeouts`), that answer is kept for resends, and the
   * handler's `signal` aborts.
   * @default 60_000
   */
  handlerTimeout?: number
  /**
   * Slow consumers: a peer whose unsent bytes (`ws`'s `bufferedAmount`, checked on every write)
   * pass this many is closed with 4008 (`stats.slowConsumers`) and cut a second later. A
   * Lifeline client reconnects and recovers its channels; the server never holds more than
   * this, plus one frame, for any peer.
   * @default 4_194_304
   */
  highWaterMark?: number
  /**
   * Which pages may connect, by the `Origin` header of the upgrade (cross-site WebSocket
   * hijacking: a page elsewhere opening a WebSocket with your users' cookies). `'same-host'`
   * allows an upgrade without `Origin` (not a browser) and one whose `Origin` has the same host
   * name as its `Host` header (any port); a list allows those origins exactly (e.g.
   * `['https://app.example.com']`), a function decides; `'*'` allows all. Checked at the upgrade
   * through the `ws` server's `verifyClient` (yours, if any, runs after it): a refused upgrade
   * gets HTTP 403. Counted in `stats.originRefused`.
   * @default 'same-host'
   */
  origins?: OriginPolicy
  /**
   * In-band authentication: a client connects with its `auth` option, whose token comes in its
   * first frame (never in the URL). `authenticate` checks it and returns what the server should
   * know of the user, which becomes `peer.data` (the default dedupe scope reads its `userId` or
   * `id`), or `{ data, expiresAt }` (epoch ms) for a token that expires: the client sends a fresh
   * one on the open link before then (`authenticate` runs again, and its result replaces
   * `peer.data`), and a peer whose token expires unrefreshed is closed with 4001, to come back
   * with a new one. A throw or a rejection refuses the token: closed with 4401, or 4403 when the
   * error has `code: 'FORBIDDEN'` (`stats().authRefused`); a Lifeline client stops for good. A
   * connection that sends something else first, or nothing within 10 s, is closed with 4401.
   * Nothing the peer sends is read, and `onConnection` and `connection` wait, until it passes.
   * @default none (every connection is accepted)
   * @example
   * ```ts
   * attach<In, Out, Replies, {}, { userId: string }>(wss, {
   *   authenticate: async ({ token }) => {
   *     const claims = await verifyJwt(String(token)) // throws on a bad token
   *     return { data: { userId: claims.sub }, expiresAt: claims.exp * 1000 }
   *   },
   * })
   * ```
   */
  authenticate?: Authenticate<Data>
  /**
   * Runs for each new peer before anything it sent is read and before `connection` is emitted;
   * may return a promise (look the user up, check a cookie), and the peer's frames wait for it.
   * Set `peer.data` here. A throw or rejection closes the peer with 1011 and reports it.
   * @default none
   * @example
   * ```ts
   * attach(wss, {
   *   onConnection: async (peer, request) => {
   *     peer.data = { userId: await sessions.user(request.headers.cookie) }
   *   },
   * })
   * ```
   */
  onConnection?: (
    // biome-ignore lint/suspicious/noExplicitAny: a peer of any message maps; `data` is what matters here
    peer: Peer<any, any, any, any, Data>,
    request: UpgradeRequest,
  ) => void | PromiseLike<void>
  /**
   * The default timeout of `peer.request`, in ms.
   * @default 10_000
   */
  requestTimeout?: number
  /**
   * Turns what a handler threw into the error reply's `{ code?, message }`. Replace it to hide
   * internal messages from clients (and log them).
   * @default (error) => ({ code: error.code (when a string), message: error.message })
   */
  formatError?: (error: unknown, request: RequestInfo) => ErrorReply
}

/** Which pages may connect: see {@link AttachOptions.origins}. */
export type OriginPolicy =
  | 'same-host'
  | '*'
  | readonly string[]
  | ((origin: string | undefined, request: UpgradeRequest) => boolean)

/** Each peer's rate limit: see {@link AttachOptions.rateLimit}. */
export interface RateLimitOptions {
  /**
   * Frames per second a peer may send, on average.
   * @default 1000
   */
  messages?: number
  /**
   * Bytes per second a peer may send, on average.
   * @default 4_194_304
   */
  bytes?: number
  /**
   * How many seconds' worth a peer may send at once (a reconnecting client flushing its queue);
   * the byte allowance is never less than one frame of `maxMessageBytes`.
   * @default 2
   */
  burst?: number
  /**
   * A peer over its limit for this many ms, without pausing long enough to refill it, is closed
   * with 4429.
   * @default 5000
   */
  closeAfter?: number
}

/** How much of each channel's history is kept. */
export interface HistoryOptions {
  /**
   * At most this many publications per channel, the oldest dropped first. It is also the most
   * a join replays: a client that missed more is told of a gap.
   * @default 1000
   */
  size?: number
  /**
   * How long a publication is kept for replays, in ms.
   * @default 300_000
   */
  ttl?: number
  /**
   * How long a channel's position (its epoch and last offset) is kept, in ms, after it was last
   * used: a publication, a join, or a peer in it. A client that comes back to a channel where
   * nothing was published meanwhile is answered without a gap however long it was away, as long
   * as the position was kept. Never less than `ttl`.
   * @default 86_400_000 (a day)
   */
  positionTtl?: number
}

/** The request dedupe window. */
export interface DedupeOptions {
  /**
   * How long a reply is kept for duplicates, in ms after it was made.
   * @default 300_000
   */
  ttl?: number
  /**
   * At most this many ids are kept per scope (see `scope`), the scope's oldest forgotten first,
   * never one whose handler still runs (the in-memory adapter; Redis bounds the window by `ttl`
   * alone).
   * @default 10_000
   */
  max?: number
  /**
   * At most this many characters of keys and replies are kept in all, the oldest forgotten
   * first, never one whose handler still runs (the in-memory adapter).
   * @default 67_108_864
   */
  maxBytes?: number
  /**
   * How long a request may wait for a store across the network (Redis) to claim its id, in ms;
   * then it is answered with the error `UNAVAILABLE` (`stats.unavailable`) and its handler does
   * not run, well within a client's own request timeout.
   * @default 2000
   */
  claimTimeout?: number
  /**
   * Who a request is deduped for: a resend is answered from the window only within the scope
   * of its first attempt, and one scope's ids never push out another's. The default is the user
   * the app named in `peer.data.userId` or `peer.data.id` when it set one, else the client by
   * the random prefix of its request ids (the same on every connection of one page or process,
   * so a resend after a reconnect finds its first reply).
   * @default `user:${peer.data.userId ?? peer.data.id}`, else `client:${prefix of request.id}`
   */
  scope?: (request: RequestInfo, peer: Peer) => string
  /**
   * The key a request is deduped by within its scope. Request ids are random and unique per
   * client, so the id alone is the default.
   * @default (request) => request.id
   */
  key?: (request: RequestInfo, peer: Peer) => string
}

/** The options as the hub uses them: defaults filled in, everything checked. */
export interface Settings {
  adapter: Adapter
  /** The dedupe window handed to the reply store (the defaults when dedupe is off, unused then). */
  window: DedupeWindow
  /** How much history each channel keeps. */
  history: HistoryLimits
  /** Whether a peer may join or publish into a channel. */
  authorize: Authorize | null
  maxChannels: number
  /** Presence's grace and ttl, or `false` when it is off. */
  presence: PresenceSettings | false
  /** The dedupe key and scope of a request, or `false` when dedupe is off. */
  dedupe: { key: DedupeKey; scope: DedupeKey } | false
  /** The heartbeat interval, or `false` when it is off. */
  interval: number | false
  maxMessageBytes: number
  maxDepth: number
  rate: RateSettings | false
  maxInFlight: number
  handlerTimeout: number
  highWaterMark: number
  /** Whether an upgrade's `Origin` is allowed. */
  originAllowed: (origin: string | undefined, request: UpgradeRequest) => boolean
  // biome-ignore lint/suspicious/noExplicitAny: the hub's data type is the user's
  authenticate: Authenticate<any> | null
  // biome-ignore lint/suspicious/noExplicitAny: the hub calls it with its own peers
  onConnection: ((peer: any, request: UpgradeRequest) => void | PromiseLike<void>) | null
  requestTimeout: number
  formatError: (error: unknown, request: RequestInfo) => ErrorReply
}

const DEFAULTS = {
  ttl: 300_000,
  max: 10_000,
  maxBytes: 67_108_864,
  claimTimeout: 2000,
  maxDepth: 64,
  rate: { messages: 1000, bytes: 4_194_304, burst: 2, closeAfter: 5000 },
  maxInFlight: 100,
  handlerTimeout: 60_000,
  highWaterMark: 4_194_304,
  history: { size: 1000, ttl: 300_000, positionTtl: 86_400_000 },
  maxChannels: 100,
  interval: 30_000,
  maxMessageBytes: 1_048_576,
  requestTimeout: 10_000,
}

/** The methods of each seam of an adapter. */
const SEAMS = {
  broker: ['start', 'publish', 'close'],
  replies: ['start', 'claim', 'settle', 'close'],
  history: ['start', 'append', 'since', 'top', 'close'],
  presence: ['start', 'enter', 'exit', 'watch', 'unwatch', 'members', 'close'],
  relay: ['start', 'forward', 'close'],
} as const satisfies Record<keyof Adapter, readonly string[]>

/** The longest delay `setTimeout` takes. */
const MAX_TIMER_DELAY = 2 ** 31 - 1

const invalid = (message: string) => new LifelineServerError('INVALID_OPTIONS', message)

/** A number of at least `min` (NaN and non-numbers fail), else `INVALID_OPTIONS`. */
function atLeast(value: number, name: string, min: number): number {
  if (!(value >= min)) throw invalid(`${name} must be a number >= ${min}`)
  return value
}

function functionOr<F, D>(value: F | undefined, name: string, fallback: D): F | D {
  if (value === undefined) return fallback
  if (typeof value !== 'function') throw invalid(`${name} must be a function`)
  return value
}

/** A history's limits from its options: whole numbers, `positionTtl` at least `ttl`. */
function historyLimits(options: HistoryOptions): HistoryLimits {
  if (typeof options !== 'object' || options === null) throw invalid('history must be an object')
  const { size = DEFAULTS.history.size, ttl = DEFAULTS.history.ttl } = options
  const positionTtl = options.positionTtl ?? Math.max(ttl, DEFAULTS.history.positionTtl)
  const finite = (value: number, name: string) => {
    if (!Number.isSafeInteger(Math.floor(atLeast(value, name, 1)))) throw invalid(`${name} must be a finite number`)
    return Math.floor(value)
  }
  return {
    size: finite(size, 'history.size'),
    ttl: finite(ttl, 'history.ttl'),
    positionTtl: Math.max(finite(positionTtl, 'history.positionTtl'), Math.floor(ttl)),
  }
}

/** The host name of a `Host` header or an origin's URL; `null` when it has none. */
function hostName(value: string | undefined, asUrl: boolean): string | null {
  if (!value) return null
  try {
    return new URL(asUrl ? value : `http://${value}`).hostname.toLowerCase()
  } catch {
    return null
  }
}

/** The check an `origins` option makes. */
function originCheck(policy: OriginPolicy): Settings['originAllowed'] {
  if (policy === '*') return () => true
  if (policy === 'same-host') {
    return (origin, request) => origin === undefined || hostName(origin, true) === hostName(request.headers.host, false)
  }
  if (typeof policy === 'function') return policy
  if (!Array.isArray(policy) || !policy.every((entry) => typeof entry === 'string')) {
    throw invalid("origins must be 'same-host', '*', a list of origins or a function")
  }
  const allowed = new Set(policy.map((entry) => entry.toLowerCase()))
  return (origin) => origin !== undefined && allowed.has(origin.toLowerCase())
}

/** A rate limit's settings; the byte allowance holds at least one frame of `maxMessageBytes`. */
function rateSettings(options: RateLimitOptions | false, maxMessageBytes: number): RateSettings | false {
  if (options === false) return false
  if (typeof options !== 'object' || options === null) throw invalid('rateLimit must be an object or false')
  const { messages, bytes, burst, closeAfter } = { ...DEFAULTS.rate, ...options }
  atLeast(messages, 'rateLimit.messages', Number.MIN_VALUE)
  atLeast(bytes, 'rateLimit.bytes', Number.MIN_VALUE)
  atLeast(burst, 'rateLimit.burst', Number.MIN_VALUE)
  return {
    messages,
    messageBurst: Math.max(1, messages * burst),
    bytes,
    byteBurst: Math.max(maxMessageBytes, bytes * burst),
    closeAfter: atLeast(closeAfter, 'rateLimit.closeAfter', 0),
  }
}

/** Fills in the defaults of `attach`'s options; throws `INVALID_OPTIONS` for a bad one. */
export function resolveOptions(options: AttachOptions<never>): Settings {
  const { adapter = memoryAdapter(), dedupe = {}, heartbeat = {}, history = {} } = options
  for (const [seam, methods] of Object.entries(SEAMS) as Array<[keyof Adapter, readonly string[]]>) {
    const part = adapter?.[seam] as unknown as Record<string, unknown> | undefined
    // An adapter without presence keeps it in this process; one without a relay serves one instance.
    if ((seam === 'presence' || seam === 'relay') && part === undefined) continue
    if (!methods.every((method) => typeof part?.[method] === 'function')) {
      throw invalid(`an adapter has a ${seam} with the methods ${methods.join(', ')}`)
    }
    if (seam === 'relay' && !/^[\w-]{1,64}$/.test(String(part?.instance))) {
      throw invalid('an adapter’s relay has an `instance`: 1 to 64 letters, digits, _ or -')
    }
  }
  const {
    ttl = DEFAULTS.ttl,
    max = DEFAULTS.max,
    maxBytes = DEFAULTS.maxBytes,
    claimTimeout = DEFAULTS.claimTimeout,
  } = dedupe || {}
  const maxMessageBytes = atLeast(options.maxMessageBytes ?? DEFAULTS.maxMessageBytes, 'maxMessageBytes', 0)
  return {
    adapter,
    window: {
      ttl: atLeast(ttl, 'dedupe.ttl', 1),
      max: atLeast(max, 'dedupe.max', 1),
      maxBytes: atLeast(maxBytes, 'dedupe.maxBytes', 1),
      claimTimeout: atLeast(claimTimeout, 'dedupe.claimTimeout', 1),
    },
    history: historyLimits(history),
    authorize: functionOr(options.authorize as Authorize | undefined, 'authorize', null),
    maxChannels: atLeast(options.maxChannels ?? DEFAULTS.maxChannels, 'maxChannels', 0),
    presence: presenceSettings(options.presence),
    dedupe: dedupe && {
      key: functionOr(dedupe.key, 'dedupe.key', (request: RequestInfo) => request.id) as DedupeKey,
      scope: functionOr(dedupe.scope, 'dedupe.scope', defaultScope) as DedupeKey,
    },
    interval: heartbeat && atLeast(heartbeat.interval ?? DEFAULTS.interval, 'heartbeat.interval', 1),
    maxMessageBytes,
    maxDepth: atLeast(options.maxDepth ?? DEFAULTS.maxDepth, 'maxDepth', 1),
    rate: rateSettings(options.rateLimit ?? {}, maxMessageBytes),
    maxInFlight: atLeast(options.maxInFlight ?? DEFAULTS.maxInFlight, 'maxInFlight', 1),
    handlerTimeout: Math.min(
      atLeast(options.handlerTimeout ?? DEFAULTS.handlerTimeout, 'handlerTimeout', 1),
      MAX_TIMER_DELAY,
    ),
    highWaterMark: atLeast(options.highWaterMark ?? DEFAULTS.highWaterMark, 'highWaterMark', 1),
    originAllowed: originCheck(options.origins ?? 'same-host'),
    authenticate: functionOr(options.authenticate, 'authenticate', null),
    onConnection: functionOr(options.onConnection, 'onConnection', null),
    requestTimeout: atLeast(options.requestTimeout ?? DEFAULTS.requestTimeout, 'requestTimeout', 0),
    formatError: functionOr(options.formatError, 'formatError', defaultFormatError),
  }
}
