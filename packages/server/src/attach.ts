import { GOING_AWAY } from '@lifeline/core/protocol'
import { createChannels } from './channels.js'
import { LifelineServerError } from './errors.js'
import { messageFrame } from './frames.js'
import type { Position } from './history.js'
import { createListeners } from './listeners.js'
import { type AttachOptions, resolveOptions } from './options.js'
import { createPeer, type Peer, type PeerConnection } from './peer.js'
import { createResponder } from './responder.js'
import { createRooms } from './rooms.js'
import type { MessageMap, PeerSocket, SendArgs, UpgradeRequest, WebSocketServerLike } from './types.js'

/** Options of `hub.broadcast()`. */
export interface BroadcastOptions {
  /** A peer that does not get it (typically the sender). */
  // biome-ignore lint/suspicious/noExplicitAny: a peer of any message maps and data
  except?: Peer<any, any, any, any, any>
}

/** What a hub has counted since it was attached; `peers` is the number connected now. */
export interface HubStats {
  /** Peers connected to this instance now. */
  peers: number
  /** Ordinary messages received (not requests, replies or pings). */
  messages: number
  /** Requests whose handler ran. */
  requests: number
  /** Requests answered from the dedupe window, their handler not run again. */
  duplicates: number
  /** Requests of a type with no handler, answered with `NO_HANDLER`, and messages of an unknown `$` type. */
  unhandled: number
  /** Bad frames ignored: the three below, added up. */
  badFrames: number
  /** Frames that were not JSON. */
  invalidJson: number
  /** JSON that is not an envelope: not an object, no string `type`, an `id` or `re` that is not a string, an `id` over 256 characters. */
  invalidEnvelope: number
  /** Frames over `maxMessageBytes`. */
  oversize: number
  /** Joins answered with the channel's position (rejoins included; refused ones not). */
  joins: number
  /** Joins that replayed one publication or more. */
  replays: number
  /** Joins answered with a gap. */
  gaps: number
  /** Publications made on this instance (`$publish` and `hub.publish`). */
  publications: number
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
  /** The peers connected to this instance. */
  readonly peers: ReadonlySet<Peer<In, Out, Replies, ClientReplies, Data>>
  /** Counts since the hub was attached (a fresh object on every read). */
  readonly stats: HubStats
  /** Settles once the adapter has started (at once for the in-memory one); rejects if it could not. */
  readonly ready: Promise<void>
  /**
   * Stops: closes every peer with `code` (1001 going away unless given, which Lifeline clients
   * retry, so they move to another instance), stops the heartbeat and closes the adapter. Does
   * not close the `ws` server, which is yours. Idempotent.
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
  const {
    adapter,
    window,
    history,
    authorize,
    maxChannels,
    key,
    interval,
    maxMessageBytes,
    requestTimeout,
    formatError,
  } = resolveOptions(options as AttachOptions<never>)
  const { broker, replies } = adapter

  const rooms = createRooms<PeerConnection>()
  const peers = rooms.all
  const counts: Omit<HubStats, 'peers' | 'badFrames'> = {
    messages: 0,
    requests: 0,
    duplicates: 0,
    unhandled: 0,
    invalidJson: 0,
    invalidEnvelope: 0,
    oversize: 0,
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

  const responder = createResponder({
    replies,
    key,
    formatError,
    count,
    report,
  })

  const channels = createChannels({
    history: adapter.history,
    rooms,
    authorize,
    maxChannels,
    replayLimit: history.size,
    answer: (peer, request, handler) => responder.answer(peer, request, handler),
    emit: (type, peer, channel) => listeners.emit(type, peer, channel),
    count,
    report,
  })

  const adapterFailed = (cause: unknown) =>
    report(new LifelineServerError('ADAPTER_FAILED', (cause as Error)?.message ?? 'adapter failed', { cause }))
  /** A seam's start as a promise; a throw is a rejection. */
  const starting = (start: () => unknown) => new Promise((resolve) => resolve(start()))
  const ready = Promise.all([
    starting(() => broker.start({ deliver: rooms.deliver, report: adapterFailed })),
    starting(() => replies.start({ dedupe: window, report: adapterFailed })),
    starting(() =>
      adapter.history.start({
        limits: history,
        deliver: channels.deliver,
        joined: channels.joined,
        isJoined: channels.isJoined,
        report: adapterFailed,
      }),
    ),
  ]).then(() => {})
  ready.catch(adapterFailed)

  function onConnection(socket: PeerSocket, request: UpgradeRequest) {
    const peer = createPeer(socket, {
      maxMessageBytes,
      requestTimeout,
      count,
      report,
      answer: (peer, request, handler) => responder.answer(peer, request, handler),
      reserved: (peer, frame) => channels.receive(peer, frame),
      closed: (peer) => {
        rooms.remove(peer)
        channels.closed(peer)
      },
    })
    rooms.add(peer)
    listeners.emit('connection', peer, request)
  }

  const timer = interval
    ? setInterval(() => {
        for (const peer of peers) peer.beat()
      }, interval)
    : undefined
  // The server's own handles keep the process alive; the heartbeat alone should not.
  timer?.unref()

  let closed: Promise<void> | undefined
  function stop(): Promise<void> {
    closed ??= (async () => {
      wss.off('connection', onConnection)
      wss.off('close', stop)
      clearInterval(timer)
      await ready.catch(() => {})
      await Promise.all([broker.close(), replies.close(), adapter.history.close()])
    })()
    return closed
  }

  wss.on('connection', onConnection)
  wss.on('close', stop)

  return {
    on: (type, listener) => listeners.on(type, listener),
    broadcast(type, ...args) {
      const [data, options] = args as unknown as [unknown, BroadcastOptions?]
      const frame = messageFrame(type, data)
      const except = options?.except?.id
      new Promise((resolve) => resolve(broker.publish(except === undefined ? { frame } : { frame, except }))).catch(
        adapterFailed,
      )
    },
    publish: (channel, data) => channels.publish(channel, data),
    peers: peers as ReadonlySet<Peer<unknown, unknown, unknown, unknown, unknown>> as ReadonlySet<
      Peer<In, Out, Replies, ClientReplies, Data>
    >,
    get stats() {
      const badFrames = counts.invalidJson + counts.invalidEnvelope + counts.oversize
      return { peers: peers.size, ...counts, badFrames }
    },
    ready,
    close(code = GOING_AWAY, reason = 'server shutting down') {
      for (const peer of peers) peer.close(code, reason)
      return stop()
    },
  }
}
