import { type Adapter, memoryAdapter } from './adapter.js'
import { LifelineServerError } from './errors.js'
import type { HistoryLimits } from './history.js'
import type { Peer } from './peer.js'
import type { DedupeWindow } from './replyStore.js'
import { defaultFormatError } from './responder.js'
import type { ErrorReply, RequestInfo } from './types.js'

/** Options of {@link attach}. */
export interface AttachOptions {
  /**
   * Where broadcasts, the dedupe window and channel history are shared with other instances of
   * the server: `{ broker, replies, history }`.
   * @default memoryAdapter() (this process only)
   */
  adapter?: Adapter
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
  history: { size: 1000, ttl: 300_000 },
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

function functionOr<F>(value: F | undefined, name: string, fallback: F): F {
  if (value === undefined) return fallback
  if (typeof value !== 'function') throw invalid(`${name} must be a function`)
  return value
}

/** Fills in the defaults of `attach`'s options; throws `INVALID_OPTIONS` for a bad one. */
export function resolveOptions(options: AttachOptions): Settings {
  const { adapter = memoryAdapter(), dedupe = {}, heartbeat = {} } = options
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
    history: DEFAULTS.history,
    key: dedupe && functionOr(dedupe.key, 'dedupe.key', (request: RequestInfo) => request.id),
    interval: heartbeat && atLeast(heartbeat.interval ?? DEFAULTS.interval, 'heartbeat.interval', 1),
    maxMessageBytes: atLeast(options.maxMessageBytes ?? DEFAULTS.maxMessageBytes, 'maxMessageBytes', 0),
    requestTimeout: atLeast(options.requestTimeout ?? DEFAULTS.requestTimeout, 'requestTimeout', 0),
    formatError: functionOr(options.formatError, 'formatError', defaultFormatError),
  }
}
