import type { IncomingMessage, ServerResponse } from 'node:http'
import { AUTH, FORBIDDEN, NORMAL, SERVICE_RESTART, UNAUTHORIZED } from '@lifeline/core/protocol'
import { AUTH_TIMEOUT, createAuth } from './auth.js'
import { createChannels } from './channels.js'
import { LifelineServerError } from './errors.js'
import { messageFrame } from './frames.js'
import type { Position } from './history.js'
import { type HttpSession, isProbe, serveHttp } from './httpTransport.js'
import { createListeners } from './listeners.js'
import { memoryPresence } from './memoryPresence.js'
import { type AttachOptions, resolveOptions } from './options.js'
import { type AnyHandler, createPeer, type Peer, type PeerConnection, type ReservedFrame } from './peer.js'
import { createPresence, type PresenceMember } from './presence.js'
import { createResponder, type IncomingRequest } from './responder.js'
import { createRooms } from './rooms.js'
import type { MessageMap, PeerSocket, SendArgs, UpgradeRequest, WebSocketServerLike } from './types.js'
import { guardUpgrades, originOf } from './upgrades.js'
import { createUserLimits } from './userLimits.js'

/** Options of `hub.broadcast()`. */
export interface BroadcastOptions {
  /** A peer that does not get it (typically the sender). */
  // biome-ignore lint/suspicious/noExplicitAny: a peer of any message maps and data
  except?: Peer<any, any, any, any, any>
}

/** How a peer is connected: a WebSocket, or the HTTP fallback (server-sent events down, POSTs up). */
export type Transport = 'websocket' | 'http'

/** What a hub has counted since it was attached; `peers` and `transports` are the numbers connected now. */
export interface HubStats {
  /** Peers connected to this instance now. */
  peers: number
  /** Peers connected to this instance now, by transport. */
  transports: Record<Transport, number>
  /** Connections accepted since the hub was attached. */
  connections: number
  /** Ordinary messages received (not requests, replies or pings). */
  messages: number
  /** Frames written to peers: messages, broadcasts and publications (one per peer reached), replies, requests and pongs. */
  framesSent: number
  /** Requests whose handler ran. */
  requests: number
  /** Requests answered from the dedupe window, their handler not run again. */
  duplicates: number
  /** Requests of a type with no handler, answered with `NO_HANDLER`, and messages of an unknown `$` type. */
  unhandled: number
  /** Replies from clients to no request the server is waiting for (late, repeated, or made up). */
  unknownReplies: number
  /** Bad frames ignored: the four below, added up. */
  badFrames: number
  /** Frames that were not JSON. */
  invalidJson: number
  /** JSON that is not an envelope: not an object, no string `type`, an `id` or `re` that is not a string, an `id` over 256 characters. */
  invalidEnvelope: number
  /** Frames over `maxMessageBytes` (their connection closed with 1009). */
  oversize: number
  /** Frames nested deeper than `maxDepth`. */
  tooDeep: number
  /** Frames dropped over a peer's rate limit (requests among them answered `RATE_LIMITED`). */
  rateLimited: number
  /** Peers closed with 4429 for staying over their rate limit. */
  rateLimitCuts: number
  /** Requests answered `BUSY`: their peer had `maxInFlight` requests being answered. */
  busy: number
  /** Handlers that ran past `handlerTimeout`, answered `HANDLER_TIMEOUT`. */
  handlerTimeouts: number
  /** Requests answered `UNAVAILABLE`: the adapter could not claim their id in time. */
  unavailable: number
  /** Peers closed with 4008 for reading too slowly (unsent bytes past `highWaterMark`). */
  slowConsumers: number
  /** Peers terminated for not answering a ws ping within a heartbeat interval. */
  deadPeers: number
  /** Upgrades refused for their `Origin`. */
  originRefused: number
  /** Connections and refreshes whose token `authenticate` refused (closed with 4401 or 4403), or that sent none. */
  authRefused: number
  /** Peers closed with 4001: their token expired and no fresh one came. */
  authExpired: number
  /** Adapter (Redis) operations that failed; `error` is emitted once per outage, not once per failure. */
  adapterErrors: number
  /** Broadcasts the broker could not hand to the other instances (they reached this instance's peers). */
  lostBroadcasts: number
  /** Joins answered with the channel's position (rejoins included; refused ones not). */
  joins: number
  /** Joins that replayed one publication or more. */
  replays: number
  /** Joins answered with a gap. */
  gaps: number
  /** Publications made on this instance (`$publish` and `hub.publish`). */
  publications: number
}

/** Options of `hub.close()`. */
export interface CloseOptions {
  /**
   * Spreads the closing of peers over this many ms, in batches, so that the clients come back
   * (to the next server) spread out rather than in one herd.
   * @default 0 (all at once)
   */
  drain?: number
  /**
   * The longest the hub waits for running handlers, in ms, before it gives up on them (their
   * signals abort) and closes the adapter.
   * @default 10_000
   */
  timeout?: number
  /**
   * The close code: 1012 (service restart), which Lifeline clients retry.
   * @default 1012
   */
  code?: number
  /**
   * The close reason.
   * @default 'server restarting'
   */
  reason?: string
}

/** The events a hub emits, with their listeners' arguments. */
export interface HubEvents<In, Out, Replies, ClientReplies, Data = Record<string, unknown>> {
  /** A client connected: set up its listeners and handlers here. */
  connection: [peer: Peer<In, Out, Replies, ClientReplies, Data>, request: UpgradeRequest]
  /** A background failure: a throwing listener, an adapter failure, a reply that could not be encoded. */
  error: [error: LifelineServerError]
  /** A peer joined a channel (its join was answered); not emitted again for a rejoin on the same connection. */
  join: [peer: Peer<In, Out, Replies, ClientReplies, Data>, channel: string]
  /** A peer left a channel: it sent `$leave`, a rejoin was refused, or its connection ended. */
  leave: [peer: Peer<In, Out, Replies, ClientReplies, Data>, channel: string]
}

/**
 * Lifeline's protocol over a `ws` server. Made by {@link attach}.
 *
 * @typeParam In - what clients send, as `{ type: payload }` (the client's `Outgoing`).
 * @typeParam Out - what the server sends, as `{ type: payload }` (the client's `Incoming`).
 * @typeParam Replies - what `peer.handle` handlers reply, keyed by the `In` type asked (the client's `Replies`).
 * @typeParam ClientReplies - what clients' `socket.handle` handlers reply, keyed by the `Out` type
 *   asked: what `peer.request` resolves with.
 * @typeParam Data - what the server knows of each client: `peer.data`.
 */
export interface Hub<
  In = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
  ClientReplies = {},
  Data = Record<string, unknown>,
> {
  /**
   * Listens to `connection`, `error`, `join` or `leave`; returns a function that stops listening.
   *
   * @example
   * ```ts
   * hub.on('connection', (peer, request) => {
   *   console.log('connected from', request.socket.remoteAddress)
   *   peer.on('chat', (data) => hub.broadcast('chat', data))
   * })
   * hub.on('join', (peer, channel) => console.log(peer.id, 'joined', channel))
   * hub.on('error', (error) => console.error(error.code, error.cause))
   * ```
   */
  on<K extends keyof HubEvents<In, Out, Replies, ClientReplies, Data>>(
    type: K,
    listener: (...args: HubEvents<In, Out, Replies, ClientReplies, Data>[K]) => void,
  ): () => void
  /**
   * Sends a message to every peer (but `except`): to this instance's at once, and through the
   * adapter's broker to those of every other instance.
   *
   * @throws `ENCODE_FAILED` when `data` is not JSON-serialisable.
   * @example
   * ```ts
   * peer.on('chat', (data) => hub.broadcast('chat', data, { except: peer }))
   * ```
   */
  broadcast<K extends keyof Out & string>(type: K, ...args: [...SendArgs<Out, K>, options?: BroadcastOptions]): void
  /**
   * Publishes into a channel: the publication gets the channel's next offset, is kept in its
   * history for recovery, and reaches every peer in the channel on every instance (as
   * `{"ch","e","o","data"}`). Resolves with its position once made. Not checked by `authorize`.
   *
   * @returns the publication's `{ epoch, offset }`.
   * @throws (rejects) `INVALID_OPTIONS` for a channel name that is not a string of 1 to 256
   *   characters, `ENCODE_FAILED` when `data` is not JSON-serialisable, `ADAPTER_FAILED` when the
   *   history could not append it.
   * @example
   * ```ts
   * const { offset } = await hub.publish('room:42', { text: 'The room closes at 6' })
   * ```
   */
  publish<T>(channel: string, data: T): Promise<Position>
  /**
   * The members of a channel now, as this instance knows them: a user once however many
   * connections it has, on any instance (through the adapter's presence store). Empty when
   * presence is off, and for a channel no peer of this instance is in when the store is Redis.
   *
   * @example
   * ```ts
   * const here = hub.presence('room:42').map((member) => member.id)
   * ```
   */
  presence(channel: string): PresenceMember<Data>[]
  /**
   * Answers a request of the HTTP fallback (`FallbackWebSocket` from `@lifeline/core/fallback`)
   * and returns `true`, or returns `false` for any other request. Only for a `ws` server made with
   * `noServer` (you route its upgrades): on one made with `server` or `port`, the hub answers
   * the fallback's requests by itself.
   *
   * @example
   * ```ts
   * const wss = new WebSocketServer({ noServer: true })
   * const hub = attach(wss)
   * const server = createServer((req, res) => {
   *   if (req.url?.startsWith('/live') && hub.handleRequest(req, res)) return
   *   app(req, res)
   * })
   * ```
   */
  handleRequest(request: IncomingMessage, response: ServerResponse): boolean
  /** The peers connected to this instance. */
  readonly peers: ReadonlySet<Peer<In, Out, Replies, ClientReplies, Data>>
  /**
   * What the hub has counted since it was attached, and the peers connected now: a fresh object
   * on every call. `@lifeline/server/metrics` exports it to Prometheus.
   *
   * @example
   * ```ts
   * const { peers, requests, slowConsumers } = hub.stats()
   * ```
   */
  stats(): HubStats
  /** Settles once the adapter has started (at once for the in-memory one); rejects if it could not. */
  readonly ready: Promise<void>
  /**
   * Stops, for a deploy: takes no new connection (they are closed with 1012) and no new request
   * (clients resend those on their next connection), closes each peer with 1012 once its
   * requests are answered, in batches spread over `drain` ms, waits (up to `timeout`) for every
   * running handler and for its reply to be stored, then closes the adapter. Does not close the
   * `ws` server, which is yours. Idempotent. `close(code, reason)` closes with that code.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', async () => {
   *   await hub.close({ drain: 10_000 }) // clients come back over 10 s, not all at once
   *   wss.close()
   * })
   * ```
   */
  close(options?: CloseOptions): Promise<void>
  /**
   * Stops as `close({ code, reason })` does: with that close code (default 1012) and reason
   * (default `'server restarting'`), all at once, waiting up to 10 s for running handlers.
   */
  close(code?: number, reason?: string): Promise<void>
}

/**
 * Speaks Lifeline's protocol (the JSON envelope) over a `ws` WebSocketServer: answers pings,
 * routes typed messages, runs request handlers and replies, sends requests to clients,
 * broadcasts, and dedupes requests resent after a drop.
 *
 * Share the client's types: a client made with `connect<Incoming, Outgoing, Replies>` talks to
 * a hub made with `attach<Outgoing, Incoming, Replies>`.
 *
 * @typeParam In - what clients send, as `{ type: payload }` (the client's `Outgoing`).
 * @typeParam Out - what the server sends (the client's `Incoming`).
 * @typeParam Replies - what `peer.handle` handlers reply, keyed by the `In` type asked (the client's `Replies`).
 * @typeParam ClientReplies - what clients' `socket.handle` handlers reply, keyed by the `Out` type asked.
 * @typeParam Data - what the server knows of each client, `peer.data` (an empty object until set).
 * @throws `INVALID_OPTIONS` for a bad option.
 * @example
 * ```ts
 * import { WebSocketServer } from 'ws'
 * import { attach } from '@lifeline/server'
 *
 * const hub = attach<Outgoing, Incoming, Replies>(new WebSocketServer({ port: 8080 }))
 * hub.on('connection', (peer) => {
 *   peer.on('chat', (data) => hub.broadcast('chat', data))
 *   peer.handle('getUser', async ({ id }) => db.user(id))
 * })
 * ```
 */
export function attach<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
  ClientReplies = {},
  Data = Record<string, unknown>,
>(wss: WebSocketServerLike, options: AttachOptions<Data> = {}): Hub<In, Out, Replies, ClientReplies, Data> {
  if (typeof wss?.on !== 'function') {
    throw new LifelineServerError('INVALID_OPTIONS', 'attach() needs a ws WebSocketServer')
  }
  const settings = resolveOptions(options as unknown as AttachOptions<never>)
  const { adapter, window, history, authorize, maxChannels, interval, maxMessageBytes } = settings
  const { broker, replies } = adapter

  const rooms = createRooms<PeerConnection>()
  const peers = rooms.all
  const counts: Omit<HubStats, 'peers' | 'transports' | 'badFrames'> = {
    connections: 0,
    messages: 0,
    framesSent: 0,
    requests: 0,
    duplicates: 0,
    unhandled: 0,
    unknownReplies: 0,
    invalidJson: 0,
    invalidEnvelope: 0,
    oversize: 0,
    tooDeep: 0,
    rateLimited: 0,
    rateLimitCuts: 0,
    busy: 0,
    handlerTimeouts: 0,
    unavailable: 0,
    slowConsumers: 0,
    deadPeers: 0,
    originRefused: 0,
    authRefused: 0,
    authExpired: 0,
    adapterErrors: 0,
    lostBroadcasts: 0,
    joins: 0,
    replays: 0,
    gaps: 0,
    publications: 0,
  }
  const count = (what: keyof typeof counts) => {
    counts[what]++
  }

  /** Background failures go to `error` listeners, or to the console when there are none. */
  const report = (error: LifelineServerError) => {
    if (listeners.has('error')) listeners.emit('error', error)
    else console.error(error)
  }
  const listeners = createListeners((type, cause) => {
    const error = new LifelineServerError('HANDLER_FAILED', `a "${type}" listener threw`, { cause })
    // A failing `error` listener is logged, never re-reported: no loops.
    if (type === 'error') console.error(error)
    else report(error)
  })

  /** Whether the adapter's last operation failed: an outage is reported once, at its start. */
  let outage = false
  const adapterFailed = (cause: unknown, what = 'work') => {
    count('adapterErrors')
    if (outage) return
    outage = true
    const message = `the adapter could not ${what}: ${(cause as Error)?.message ?? cause}`
    report(new LifelineServerError('ADAPTER_FAILED', message, { cause }))
  }
  const adapterAnswered = () => {
    outage = false
  }

  const responder = createResponder({
    replies,
    dedupe: settings.dedupe,
    formatError: settings.formatError,
    maxInFlight: settings.maxInFlight,
    handlerTimeout: settings.handlerTimeout,
    count,
    report,
    adapterFailed,
    adapterAnswered,
  })

  const presenceStore = adapter.presence ?? memoryPresence()
  const presence = settings.presence
    ? createPresence({ store: presenceStore, grace: settings.presence.grace, report })
    : null

  const channels = createChannels({
    history: adapter.history,
    rooms,
    authorize,
    maxChannels,
    presence,
    replayLimit: history.size,
    highWaterMark: settings.highWaterMark,
    answer: (peer, request, handler) => responder.answer(peer, request, handler),
    emit: (type, peer, channel) => listeners.emit(type, peer, channel),
    count,
    report,
  })

  /** A seam's start as a promise; a throw is a rejection. */
  const starting = (start: () => unknown) => new Promise((resolve) => resolve(start()))
  const backgroundFailure = (cause: unknown) => adapterFailed(cause)
  const ready = Promise.all([
    starting(() => broker.start({ deliver: rooms.deliver, report: backgroundFailure })),
    starting(() => replies.start({ dedupe: window, report: backgroundFailure })),
    starting(() =>
      adapter.history.start({
        limits: history,
        deliver: channels.deliver,
        joined: channels.joined,
        isJoined: channels.isJoined,
        report: backgroundFailure,
      }),
    ),
    presence &&
      starting(() =>
        presenceStore.start({
          ttl: (settings.presence || { ttl: 0 }).ttl,
          changed: presence.changed,
          report: backgroundFailure,
        }),
      ),
  ]).then(() => {})
  ready.catch((cause) => adapterFailed(cause, 'start'))

  const upgrades = guardUpgrades(wss, settings, {
    refused: () => count('originRefused'),
    report,
  })

  const peerHost = {
    frameLimits: { maxBytes: maxMessageBytes, maxDepth: settings.maxDepth },
    requestTimeout: settings.requestTimeout,
    rate: settings.rate,
    highWaterMark: settings.highWaterMark,
    count,
    slow: () => count('slowConsumers'),
    report,
    answer: (peer: PeerConnection, request: IncomingRequest, handler: AnyHandler) =>
      responder.answer(peer, request, handler),
    reserved: (peer: PeerConnection, frame: ReservedFrame) =>
      frame.type === AUTH && !frame.id
        ? auth.refresh(peer, frame, requests.get(peer) as UpgradeRequest)
        : channels.receive(peer, frame),
    closed: (peer: PeerConnection) => {
      userLimits.leave(peer)
      rooms.remove(peer)
      channels.closed(peer)
    },
  }

  const userLimits = createUserLimits(settings.rate)

  const auth = createAuth({ authenticate: settings.authenticate, heartbeat: !!interval, count })
  /** Each peer's upgrade request, for `authenticate` on a refresh. */
  const requests = new WeakMap<PeerConnection, UpgradeRequest>()

  /** Whether `close()` was called: new connections are turned away. */
  let stopping = false

  function onConnection(socket: PeerSocket, request: UpgradeRequest) {
    // The fallback client checking whether WebSocket gets through: answered, never a peer.
    if (isProbe(request)) return socket.close(NORMAL, 'probe')
    if (stopping) return socket.close(SERVICE_RESTART, 'server restarting')
    if (!upgrades.checked && !settings.originAllowed(originOf(request), request)) {
      count('originRefused')
      return socket.close(FORBIDDEN, 'origin not allowed')
    }
    count('connections')
    const peer = createPeer(socket, peerHost)
    // The connection path: the peer's frames wait (bounded by its rate limit) until it is
    // authenticated (its first frame, the token, when `authenticate` is set) and the app has set
    // it up (`onConnection`); then the accept goes out first, and `connection` is emitted.
    const setUp = (expiresIn?: number) => {
      const app = settings.onConnection ? attempt(() => settings.onConnection?.(peer as never, request)) : undefined
      const welcome = () => {
        if (socket.readyState !== OPEN) return
        rooms.add(peer)
        userLimits.join(peer)
        peer.write(auth.acceptFrame(expiresIn))
        listeners.emit('connection', peer, request)
        peer.open()
      }
      if (!isThenable(app)) return welcome()
      Promise.resolve(app).then(welcome, (cause) => {
        report(new LifelineServerError('HANDLER_FAILED', 'onConnection failed', { cause }))
        if (socket.readyState === OPEN) peer.close(INTERNAL_ERROR, 'connection refused')
      })
    }
    if (!settings.authenticate) return setUp()
    requests.set(peer, request)
    const noToken = setTimeout(() => {
      if (socket.readyState !== OPEN) return
      count('authRefused')
      peer.close(UNAUTHORIZED, 'no token')
    }, AUTH_TIMEOUT)
    noToken.unref?.()
    peer.takeFirst((frame) => {
      clearTimeout(noToken)
      if (!frame) return
      auth.admit(peer, frame, request).then((expiresIn) => {
        if (expiresIn !== null) setUp(expiresIn)
      })
    })
  }

  const http = serveHttp(
    wss,
    {
      maxMessageBytes,
      originAllowed: settings.originAllowed,
      connection: (session: HttpSession, request: UpgradeRequest) => onConnection(session, request),
      oversize: () => count('oversize'),
      refused: () => count('originRefused'),
      report: (cause) => adapterFailed(cause, 'forward an uplink'),
    },
    adapter.relay ?? null,
  )

  const timer = interval
    ? setInterval(() => {
        for (const peer of peers) peer.beat()
      }, interval)
    : undefined
  // The server's own handles keep the process alive; the heartbeat alone should not.
  timer?.unref()

  /** Closes the adapter once every handler has answered and every reply is stored (or `timeout` passed). */
  let stopped: Promise<void> | undefined
  function stop(timeout = 0): Promise<void> {
    stopped ??= (async () => {
      stopping = true
      responder.stop()
      wss.off('close', onServerClose)
      upgrades.restore()
      const relayStopped = http.restore()
      await within(responder.drained(), timeout)
      responder.abortAll(new LifelineServerError('REQUEST_LOST', 'the hub closed'))
      wss.off('connection', onConnection)
      clearInterval(timer)
      await ready.catch(() => {})
      await Promise.all([broker.close(), replies.close(), adapter.history.close(), presence?.close(), relayStopped])
    })()
    return stopped
  }
  const onServerClose = () => {
    stopping = true
    stop(DEFAULT_CLOSE_TIMEOUT)
  }

  /** Closes peers once their requests are answered, in batches spread over `drain` ms. */
  async function drainPeers(drain: number, deadline: number, code: number, reason: string) {
    const leaving = [...peers]
    const batches = Math.max(1, Math.min(leaving.length, Math.ceil(drain / DRAIN_STEP)))
    const size = Math.ceil(leaving.length / batches)
    const started = performance.now()
    const closing: Promise<void>[] = []
    for (let batch = 0; batch < batches; batch++) {
      const at = started + (drain * batch) / batches
      if (at > performance.now()) await delay(at - performance.now())
      for (const peer of leaving.slice(batch * size, (batch + 1) * size)) {
        closing.push(
          within(responder.settled(peer), deadline - performance.now()).then(() => {
            if (peer.isOpen) peer.close(code, reason)
          }),
        )
      }
    }
    await Promise.all(closing)
  }

  let closing: Promise<void> | undefined
  function close(first?: CloseOptions | number, second?: string): Promise<void> {
    const given: CloseOptions = typeof first === 'number' ? { code: first, reason: second } : (first ?? {})
    const { drain = 0, timeout = DEFAULT_CLOSE_TIMEOUT, code = SERVICE_RESTART, reason = 'server restarting' } = given
    if (!(drain >= 0) || !(timeout >= 0)) {
      return Promise.reject(new LifelineServerError('INVALID_OPTIONS', 'drain and timeout must be ms >= 0'))
    }
    closing ??= (async () => {
      stopping = true
      responder.stop()
      const deadline = performance.now() + Math.max(drain, timeout)
      await drainPeers(drain, deadline, code, reason)
      await stop(deadline - performance.now())
    })()
    return closing
  }

  wss.on('connection', onConnection)
  wss.on('close', onServerClose)

  return {
    on: (type, listener) => listeners.on(type, listener),
    broadcast(type, ...args) {
      const [data, options] = args as unknown as [unknown, BroadcastOptions?]
      const frame = messageFrame(type, data)
      const except = options?.except?.id
      const lost = (cause: unknown) => {
        count('lostBroadcasts')
        adapterFailed(cause, 'broadcast')
      }
      attemptPromise(() => broker.publish(except === undefined ? { frame } : { frame, except })).then(
        adapterAnswered,
        lost,
      )
    },
    publish: (channel, data) => channels.publish(channel, data),
    handleRequest: (request, response) => http.serve(request, response),
    presence: (channel) => (presence?.members(channel) ?? []) as PresenceMember<Data>[],
    peers: peers as ReadonlySet<Peer<unknown, unknown, unknown, unknown, unknown>> as ReadonlySet<
      Peer<In, Out, Replies, ClientReplies, Data>
    >,
    stats() {
      const badFrames = counts.invalidJson + counts.invalidEnvelope + counts.oversize + counts.tooDeep
      let overHttp = 0
      for (const peer of peers) if ((peer.socket as { transport?: string }).transport === 'http') overHttp++
      return {
        peers: peers.size,
        transports: { websocket: peers.size - overHttp, http: overHttp },
        ...counts,
        badFrames,
      }
    },
    ready,
    close,
  }
}

/** How often a draining hub closes its next batch of peers, in ms. */
const DRAIN_STEP = 50
const DEFAULT_CLOSE_TIMEOUT = 10_000
/** `WebSocket.OPEN`. */
const OPEN = 1
/** An unexpected condition on the server (RFC 6455): the client reconnects. */
const INTERNAL_ERROR = 1011

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Resolves when `promise` does, or after `ms`, whichever is first. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  if (!(ms > 0)) return Promise.race([promise, Promise.resolve()])
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function'

/** Calls `call`; a throw becomes a rejected promise. */
function attempt(call: () => unknown): unknown {
  try {
    return call()
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Calls `call` and gives its outcome as a promise; a throw is a rejection. */
const attemptPromise = (call: () => unknown): Promise<unknown> => new Promise((resolve) => resolve(call()))
