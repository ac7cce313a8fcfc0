import { type Adapter, memoryAdapter } from './adapter.js'
import { LifelineServerError } from './errors.js'
import type { HistoryLimits } from './history.js'
import type { Peer } from './peer.js'
import type { DedupeWindow } from './replyStore.js'
import { defaultFormatError } from './responder.js'
import type { ErrorReply, RequestInfo } from './types.js'

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
   * that sent nothing (not even the pong) since the previous ping is terminated. `false` turns
   * it off. (The client's own `{"type":"ping"}` is always answered with `{"type":"pong"}`.)
   * @default { interval: 30_000 }
   */
  heartbeat?: HeartbeatOptions | false
  /**
   * Frames larger than this many bytes are ignored and counted (`stats.oversize`). `ws`'s own
   * `maxPayload` (100 MiB unless set) still applies above it: past that `ws` closes with 1009.
   * @default 1_048_576
   */
  maxMessageBytes?: number
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

/** The hub's `ws`-level heartbeat. */
export interface HeartbeatOptions {
  /**
   * How often each peer is pinged, in ms; a peer silent for a whole interval is cut.
   * @default 30_000
   */
  interval?: number
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
   * At most this many ids are kept, the oldest forgotten first (the in-memory adapter; Redis
   * bounds the window by `ttl` alone).
   * @default 10_000
   */
  max?: number
  /**
   * The key a request is deduped by. Request ids are random and unique per client, so the id
   * alone is the default; scope it (by user, by tenant) where clients are not trusted with each
   * other's ids.
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
  /** The dedupe key of a request, or `false` when dedupe is off. */
  key: ((request: RequestInfo, peer: Peer) => string) | false
  /** The heartbeat interval, or `false` when it is off. */
  interval: number | false
  maxMessageBytes: number
  requestTimeout: number
  formatError: (error: unknown, request: RequestInfo) => ErrorReply
}

const DEFAULTS = {
  ttl: 300_000,
  max: 10_000,
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
} as const satisfies Record<keyof Adapter, readonly string[]>

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

/** Fills in the defaults of `attach`'s options; throws `INVALID_OPTIONS` for a bad one. */
export function resolveOptions(options: AttachOptions<never>): Settings {
  const { adapter = memoryAdapter(), dedupe = {}, heartbeat = {}, history = {} } = options
  for (const [seam, methods] of Object.entries(SEAMS) as Array<[keyof Adapter, readonly string[]]>) {
    const part = adapter?.[seam] as unknown as Record<string, unknown> | undefined
    if (!methods.every((method) => typeof part?.[method] === 'function')) {
      throw invalid(`an adapter has a ${seam} with the methods ${methods.join(', ')}`)
    }
  }
  const { ttl = DEFAULTS.ttl, max = DEFAULTS.max } = dedupe || {}
  return {
    adapter,
    window: { ttl: atLeast(ttl, 'dedupe.ttl', 1), max: atLeast(max, 'dedupe.max', 1) },
    history: historyLimits(history),
    authorize: functionOr(options.authorize as Authorize | undefined, 'authorize', null),
    maxChannels: atLeast(options.maxChannels ?? DEFAULTS.maxChannels, 'maxChannels', 0),
    key: dedupe && functionOr(dedupe.key, 'dedupe.key', (request: RequestInfo) => request.id),
    interval: heartbeat && atLeast(heartbeat.interval ?? DEFAULTS.interval, 'heartbeat.interval', 1),
    maxMessageBytes: atLeast(options.maxMessageBytes ?? DEFAULTS.maxMessageBytes, 'maxMessageBytes', 0),
    requestTimeout: atLeast(options.requestTimeout ?? DEFAULTS.requestTimeout, 'requestTimeout', 0),
    formatError: functionOr(options.formatError, 'formatError', defaultFormatError),
  }
}
