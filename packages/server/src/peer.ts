import {
  ABNORMAL,
  createWriteBatch,
  errorReply,
  MESSAGE_TOO_BIG,
  NORMAL,
  pongFrame,
  RATE_LIMITED,
  SLOW_CONSUMER,
  TEXT_PING,
} from '@lifeline/core/protocol'
import { LifelineServerError } from './errors.js'
import {
  type BadFrame,
  byteLength,
  encode,
  type FrameLimits,
  type Incoming,
  messageFrame,
  type RawFrame,
  readFrame,
} from './frames.js'
import { nextId } from './ids.js'
import { createListeners } from './listeners.js'
import { type PreparedFrame, rawWriter } from './preparedFrame.js'
import { fullBucket, refill, type TokenBucket } from './tokenBucket.js'
import type {
  HandlerInfo,
  PeerEvents,
  PeerRequestArgs,
  PeerRequestOptions,
  PeerSocket,
  ReplyOf,
  RequestInfo,
  SendArgs,
} from './types.js'

/** `WebSocket.OPEN` in `ws` and in the standard. */
const OPEN = 1

/** The longest delay `setTimeout` takes; a longer request timeout means none. */
const MAX_TIMER_DELAY = 2 ** 31 - 1

/**
 * A `handle` handler: receives the request's data and returns the reply's (or a promise of it).
 * A throw or rejection is answered with an error reply.
 */
export type RequestHandler<In, Replies, K extends keyof In & string> = (
  data: In[K],
  request: HandlerInfo<K>,
) => ReplyOf<Replies, K> | PromiseLike<ReplyOf<Replies, K>>

/**
 * One client connection, as the hub hands it to `hub.on('connection', …)`.
 *
 * @typeParam In - what the client sends, as `{ type: payload }` (the client's `Outgoing`).
 * @typeParam Out - what the server sends, as `{ type: payload }` (the client's `Incoming`).
 * @typeParam Replies - what `handle` handlers reply, keyed by the `In` type asked (the client's `Replies`).
 * @typeParam ClientReplies - what the client's `socket.handle` handlers reply, keyed by the `Out`
 *   type asked: what `peer.request` resolves with.
 * @typeParam Data - what the server knows of this client: `peer.data`.
 */
export interface Peer<
  In = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
  ClientReplies = {},
  Data = Record<string, unknown>,
> {
  /**
   * This connection's id: a string unique across every connection of every instance and
   * restart. A client that reconnects is a new peer, with a new id.
   */
  readonly id: string
  /**
   * What the server knows of this client (who it is), typed by `attach`'s `Data`. It starts as
   * an empty object; set it, or fill it in, when the peer connects.
   *
   * @example
   * ```ts
   * hub.on('connection', (peer, request) => {
   *   peer.data = { user: userOf(request) }
   * })
   * ```
   */
  data: Data
  /** The `ws` WebSocket underneath, for what the hub does not cover (headers, `bufferedAmount`). */
  readonly socket: PeerSocket
  /** Whether the connection is open: sends are written. */
  readonly isOpen: boolean
  /**
   * Listens to a message type from this client, to `message` (every message) or to `close`;
   * returns a function that stops listening. A listener that throws is reported as the hub's
   * `error` (`HANDLER_FAILED`).
   *
   * @example
   * ```ts
   * peer.on('chat', (data) => hub.broadcast('chat', data))
   * peer.on('close', ({ code }) => console.log('left with', code))
   * ```
   */
  on<K extends keyof PeerEvents<In> & string>(type: K, listener: (payload: PeerEvents<In>[K]) => void): () => void
  /**
   * Answers this client's requests of `type` (`socket.request(type, data)` on the client). The
   * handler's return value, awaited, is sent back as `{"re": id, "data": …}`; a throw or
   * rejection as `{"re": id, "error": { "code"?, "message" }}` (see `formatError`). A request
   * resent with the same id (after a drop, to this or, with a shared adapter, another instance)
   * gets the first reply and the handler does not run again. One handler per type; returns the
   * function that removes it. Register handlers when the peer connects: a request of a type
   * with no handler is answered with the error `NO_HANDLER`. Types starting with `$` are the
   * protocol's (channels): they never reach a handler or a listener.
   *
   * @throws `INVALID_OPTIONS` when `type` has a handler already, or starts with `$`.
   * @example
   * ```ts
   * peer.handle('getUser', async ({ id }) => db.users.find(id))
   * ```
   */
  handle<K extends keyof In & string>(type: K, handler: RequestHandler<In, Replies, K>): () => void
  /**
   * Sends a message to this client. Returns `false` when the connection is no longer open
   * (nothing is queued: the client resyncs on reconnect).
   *
   * @throws `ENCODE_FAILED` when `data` is not JSON-serialisable.
   * @example
   * ```ts
   * peer.send('presence', { online: ['ada', 'grace'] })
   * ```
   */
  send<K extends keyof Out & string>(type: K, ...args: SendArgs<Out, K>): boolean
  /**
   * Asks this client (its `socket.handle(type, …)`) and resolves with its reply. Rejects with
   * `REQUEST_FAILED` (the client's error as `cause`), `REQUEST_TIMEOUT`, `REQUEST_ABORTED`, or
   * `REQUEST_LOST` when the peer disconnects first (requests to a client are not resent: the
   * next connection is a new peer).
   *
   * @throws `ENCODE_FAILED` when `data` is not JSON-serialisable, `INVALID_OPTIONS` for a bad timeout.
   * @example
   * ```ts
   * const ok = await peer.request('confirm', { text: 'Delete the board?' }, { timeout: 30_000 })
   * ```
   */
  request<K extends keyof Out & string>(type: K, ...args: PeerRequestArgs<Out, K>): Promise<ReplyOf<ClientReplies, K>>
  /** Closes the connection (1000 unless given; 4400–4499 tell a Lifeline client not to retry). */
  close(code?: number, reason?: string): void
}

/** A peer's rate limit, as the hub resolved it. */
export interface RateSettings {
  /** Frames per second, and how many may come at once. */
  readonly messages: number
  readonly messageBurst: number
  /** Bytes per second, and how many may come at once. */
  readonly bytes: number
  readonly byteBurst: number
  /** Over the limit for this long without a pause: closed with 4429. */
  readonly closeAfter: number
}

/** What a peer counts in its hub's stats. */
export type PeerCount =
  | BadFrame
  | 'messages'
  | 'framesSent'
  | 'unhandled'
  | 'unknownReplies'
  | 'rateLimited'
  | 'rateLimitCuts'
  | 'deadPeers'

/** What a peer asks of its hub. */
export interface PeerHost {
  readonly frameLimits: FrameLimits
  readonly requestTimeout: number
  /** The per-peer rate limit, or `false`. */
  readonly rate: RateSettings | false
  /** Unsent bytes past which the peer is cut as a slow consumer. */
  readonly highWaterMark: number
  count(what: PeerCount): void
  /** The peer was cut for reading too slowly. */
  slow(peer: PeerConnection): void
  /** A background failure, emitted as the hub's `error`. */
  report(error: LifelineServerError): void
  /** Answers a request that has a handler: dedupe, run, reply. */
  answer(peer: PeerConnection, request: RequestInfo & { data: unknown }, handler: AnyHandler): void
  /** A message or request of a type starting with `$`, reserved for the protocol (channels). */
  reserved(peer: PeerConnection, frame: ReservedFrame): void
  /** The peer's connection ended. */
  closed(peer: PeerConnection): void
}

/** A frame whose type is the protocol's (`$join`, `$leave`, `$publish`): a message, or a request with its `id`. */
export type ReservedFrame = { type: string; data: unknown; id?: string }

/** Types starting with `$` are the protocol's: never a user's message, never a user's handler. */
const isReserved = (type: string) => type.charCodeAt(0) === 36 // '$'

// biome-ignore lint/suspicious/noExplicitAny: handlers are typed by Peer's public signature
export type AnyHandler = (data: any, request: HandlerInfo) => unknown

/** A request of this peer being answered: claimed, running, or waiting for its first attempt's reply. */
export interface InFlight {
  /** Ends the request's work: aborts its handler's signal. */
  abort(reason: unknown): void
}

/** A peer as its hub sees it: the public API plus what the hub drives. */
export interface PeerConnection
  extends Peer<Record<string, unknown>, Record<string, unknown>, {}, {}, Record<string, unknown>> {
  /** Aborts when the connection ends: cancels the waits made for it. */
  readonly signal: AbortSignal
  /** This peer's requests being answered (bounded by `maxInFlight`). */
  readonly inFlight: Set<InFlight>
  /** Writes a ready frame (or one prepared for many peers) if the connection is open; returns whether it was written. */
  write(frame: string | PreparedFrame): boolean
  /** One heartbeat tick: cut the connection if the last ping went unanswered, else ping. */
  beat(): void
  /** Reads the frames that came while the hub was still setting the peer up, then the rest as they come. */
  open(): void
  /** From now on, counts this peer's frames in `shared`, the rate limit of its user's peers. */
  shareLimit(shared: RateBuckets): void
  /**
   * Hands the next frame to `take` instead of reading it (the token of in-band auth), or `null`
   * if the connection closes first.
   */
  takeFirst(take: (frame: Incoming | null) => void): void
}

/** A rate limit's two buckets, of frames and of bytes. */
export interface RateBuckets {
  messages: TokenBucket
  bytes: TokenBucket
}

/** Full buckets for `rate`, at `now`. */
export const rateBuckets = (rate: RateSettings, now: number): RateBuckets => ({
  messages: fullBucket(rate.messageBurst, now),
  bytes: fullBucket(rate.byteBurst, now),
})

interface PendingRequest {
  settle(error: LifelineServerError | null, value?: unknown): void
}

/** The shortest time a peer over its rate limit is not read, in ms: a flood is read in few, spaced chunks. */
const HOLD_BACK = 100

/** The key only a request (or a reply) carries, as bytes: a frame without it is no request. */
const ID_KEY = Buffer.from('"id"')

/** Frames over the rate limit read in one go before the other peers get a turn. */
const REFUSED_PER_TURN = 64

/**
 * The switch of `ws`'s receiver that hands over every frame of a TCP chunk at once (its
 * `allowSynchronousEvents`, on by default): a flood's chunk is thousands of frames, read in one
 * turn while every other peer waits. `null` for a socket that is not `ws`'s, or has it off.
 */
function receiverOf(socket: PeerSocket): { _allowSynchronousEvents: boolean } | null {
  const receiver = (socket as { _receiver?: { _allowSynchronousEvents?: unknown } })._receiver
  return receiver?._allowSynchronousEvents === true ? (receiver as { _allowSynchronousEvents: boolean }) : null
}

/** How long a peer closed by the hub (slow, rate limited) may take over the close handshake before it is cut. */
const CLOSE_GRACE = 1000

export function createPeer(socket: PeerSocket, host: PeerHost): PeerConnection {
  const listeners = createListeners((type, cause) =>
    host.report(new LifelineServerError('HANDLER_FAILED', `a "${type}" listener threw`, { cause })),
  )
  const handlers = new Map<string, AnyHandler>()
  const pending = new Map<string, PendingRequest>()
  const controller = new AbortController()
  const inFlight = new Set<InFlight>()
  /** Whether the last ws ping was answered. Only a pong counts: a peer that writes but never reads is dead to us. */
  let answered = true
  /** Cut by the hub (slow, rate limited, oversize): what it still sends is not read. */
  let cut = false
  /** Frames that came before the hub opened the peer (its `onConnection` was running). */
  let held: Array<[RawFrame, boolean]> | null = []
  /** Who takes the next frame instead of the peer (the hub's auth step). */
  let taker: ((frame: Incoming | null) => void) | null = null

  const { rate } = host
  const now = () => performance.now()
  /** The peer's rate limit: its own, until the hub shares its user's with it. */
  let limit: RateBuckets | null = rate ? rateBuckets(rate, now()) : null
  /** When the peer first went over its rate limit without pausing since; -1 when it is within it. */
  let limitedSince = -1
  /** Reading stopped while the peer is over its rate limit. */
  let readingPaused = false
  /** Frames refused over the rate limit; the `ws` receiver that reads them, and whether it was told to wait a turn. */
  let refused = 0
  const receiver = receiverOf(socket)
  let yielded = false

  /** Frames written in one turn of the event loop leave together, 16 to a TCP write. */
  const batch = createWriteBatch()
  /** Where prepared frames go as bytes, or `null` (they go as text). */
  const bytesTo = rawWriter(socket)
  const write = (frame: string | PreparedFrame) => {
    if (socket.readyState !== OPEN || cut) return false
    if (typeof frame === 'string') batch.send(socket, frame)
    else if (bytesTo) batch.send(bytesTo, frame.bytes)
    else batch.send(socket, frame.text)
    host.count('framesSent')
    // Checked on every write: nothing more is buffered for a peer past the mark.
    if ((socket.bufferedAmount ?? 0) > host.highWaterMark) {
      host.slow(peer)
      closeAndCut(SLOW_CONSUMER, 'slow consumer')
    }
    return true
  }

  /** Closes with `code`, reads nothing more, and cuts the link if the handshake has not ended in a second. */
  function closeAndCut(code: number, reason: string) {
    if (cut) return
    cut = true
    batch.flush()
    socket.close(code, reason)
    setTimeout(() => socket.terminate(), CLOSE_GRACE).unref()
  }

  const replyFailed = (re: string, code: string, message: string) => write(encode(errorReply(re, { code, message })))

  /** Whether a frame of `bytes` is within the rate limit; a peer over it for `closeAfter` ms is closed with 4429. */
  function admit(bytes: number): boolean {
    if (!rate || !limit) return true
    const { messages: messageTokens, bytes: byteTokens } = limit
    const at = now()
    const rested = refill(messageTokens, rate.messages, rate.messageBurst, at)
    if (refill(byteTokens, rate.bytes, rate.byteBurst, at) && rested) limitedSince = -1
    if (messageTokens.tokens >= 1 && byteTokens.tokens >= bytes) {
      messageTokens.tokens -= 1
      byteTokens.tokens -= bytes
      return true
    }
    host.count('rateLimited')
    if (limitedSince < 0) limitedSince = at
    else if (at - limitedSince >= rate.closeAfter) {
      host.count('rateLimitCuts')
      closeAndCut(RATE_LIMITED, 'rate limited')
    }
    return false
  }

  /**
   * A frame over the rate limit: dropped; a request is told so (only a frame naming an `id` can be
   * one, so the rest are not parsed). Every {@link REFUSED_PER_TURN} of them, the rest of what `ws`
   * has read waits for the next turn of the event loop, so the other peers' frames come between.
   */
  function refuse(raw: RawFrame, isBinary: boolean) {
    if (!Buffer.isBuffer(raw) || raw.includes(ID_KEY)) {
      const frame = readFrame(raw, isBinary, host.frameLimits)
      if (frame.kind === 'request') replyFailed(frame.id, 'RATE_LIMITED', 'too many messages: slow down')
    }
    if (receiver && ++refused % REFUSED_PER_TURN === 0) {
      receiver._allowSynchronousEvents = false
      yielded = true
    }
    holdBack(byteLength(raw))
  }

  /**
   * Stops reading a peer over its limit until its buckets hold the next frame again: the rest of
   * a flood waits in TCP, unread and unparsed, instead of costing the other peers' time.
   */
  function holdBack(bytes: number) {
    if (readingPaused || !rate || !limit || typeof socket.pause !== 'function') return
    const wait = Math.max(
      HOLD_BACK,
      ((1 - limit.messages.tokens) * 1000) / rate.messages,
      ((Math.min(bytes, rate.byteBurst) - limit.bytes.tokens) * 1000) / rate.bytes,
    )
    readingPaused = true
    socket.pause()
    setTimeout(() => {
      readingPaused = false
      if (!cut) socket.resume?.()
    }, wait).unref?.()
  }

  function receive(frame: Incoming) {
    switch (frame.kind) {
      case 'text-ping':
        return write(pongFrame(TEXT_PING))
      case 'ping':
        return write(pongFrame(frame))
      case 'bad':
        host.count(frame.reason)
        // Where `ws` did not refuse it first (a maxPayload above maxMessageBytes): the first is the last.
        if (frame.reason === 'oversize') closeAndCut(MESSAGE_TOO_BIG, 'message too big')
        return
      case 'reply': {
        const waiting = pending.get(frame.re)
        // A late, duplicate or unknown reply settles nothing.
        if (!waiting) return host.count('unknownReplies')
        const reason = frame.error as { message?: unknown } | undefined
        const error =
          reason === undefined
            ? null
            : new LifelineServerError('REQUEST_FAILED', String(reason?.message ?? 'request failed'), { cause: reason })
        return waiting.settle(error, frame.data)
      }
      case 'request': {
        const { type, id, data } = frame
        if (isReserved(type)) return host.reserved(peer, frame)
        const handler = handlers.get(type)
        if (handler) return host.answer(peer, { type, id, data }, handler)
        host.count('unhandled')
        return replyFailed(id, 'NO_HANDLER', `no handler for "${type}" requests`)
      }
      case 'message':
        if (isReserved(frame.type)) return host.reserved(peer, frame)
        host.count('messages')
        listeners.emit('message', { type: frame.type, data: frame.data })
        if (frame.type !== 'message' && frame.type !== 'close') listeners.emit(frame.type, frame.data)
        return
    }
  }

  const read = (raw: RawFrame, isBinary: boolean) => receive(readFrame(raw, isBinary, host.frameLimits))

  socket.on('message', (raw: RawFrame, isBinary: boolean) => {
    if (yielded) {
      yielded = false
      ;(receiver as { _allowSynchronousEvents: boolean })._allowSynchronousEvents = true
    }
    if (cut) return
    if (!admit(byteLength(raw))) return refuse(raw, isBinary)
    const take = taker
    taker = null
    if (take) take(readFrame(raw, isBinary, host.frameLimits))
    else if (held) held.push([raw, isBinary])
    else read(raw, isBinary)
  })
  socket.on('pong', () => {
    answered = true
  })
  // `ws` reports protocol errors (bad UTF-8, a frame over its maxPayload) and closes the socket
  // itself; without a listener the error would crash the process.
  socket.on('error', (error: { code?: unknown }) => {
    if (error?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') host.count('oversize')
  })
  socket.on('close', (code: number, reason: Buffer) => {
    held = null
    taker?.(null)
    taker = null
    const lost = new LifelineServerError('REQUEST_LOST', 'the peer disconnected')
    controller.abort(lost)
    for (const request of inFlight) request.abort(lost)
    for (const request of pending.values()) {
      request.settle(new LifelineServerError('REQUEST_LOST', 'the peer disconnected before it replied'))
    }
    host.closed(peer)
    listeners.emit('close', { code, reason: reason.toString(), wasClean: code !== ABNORMAL })
    listeners.clear()
  })

  const peer: PeerConnection = {
    id: nextId(),
    data: {},
    socket,
    signal: controller.signal,
    inFlight,
    get isOpen() {
      return socket.readyState === OPEN
    },
    on: (type, listener) => listeners.on(type, listener),
    handle(type, handler) {
      if (typeof handler !== 'function')
        throw new LifelineServerError('INVALID_OPTIONS', 'a handler must be a function')
      if (handlers.has(type)) throw new LifelineServerError('INVALID_OPTIONS', `"${type}" has a handler`)
      if (isReserved(type))
        throw new LifelineServerError('INVALID_OPTIONS', `"${type}": types starting with $ are the protocol's`)
      handlers.set(type, handler as AnyHandler)
      return () => {
        if (handlers.get(type) === handler) handlers.delete(type)
      }
    },
    send: (type, ...[data]) => write(messageFrame(type, data)),
    request(type, ...[data, options]) {
      const { timeout = host.requestTimeout, signal } = (options ?? {}) as PeerRequestOptions
      if (!(timeout >= 0)) throw new LifelineServerError('INVALID_OPTIONS', 'timeout must be ms >= 0')
      const id = nextId()
      const frame = messageFrame(type, data, id)
      const aborted = () => new LifelineServerError('REQUEST_ABORTED', 'request aborted', { cause: signal?.reason })
      if (signal?.aborted) return Promise.reject(aborted())
      if (!peer.isOpen) return Promise.reject(new LifelineServerError('REQUEST_LOST', 'the peer is not connected'))
      return new Promise((resolve, reject) => {
        const timer =
          timeout < MAX_TIMER_DELAY
            ? setTimeout(
                () => entry.settle(new LifelineServerError('REQUEST_TIMEOUT', `no reply in ${timeout} ms`)),
                timeout,
              )
            : undefined
        const abort = () => entry.settle(aborted())
        const entry: PendingRequest = {
          settle(error, value) {
            if (!pending.delete(id)) return
            clearTimeout(timer)
            signal?.removeEventListener('abort', abort)
            if (error) reject(error)
            else resolve(value as never)
          },
        }
        signal?.addEventListener('abort', abort)
        pending.set(id, entry)
        write(frame)
      })
    },
    close(code = NORMAL, reason) {
      batch.flush()
      try {
        socket.close(code, reason)
      } catch (cause) {
        // `ws` refuses codes a close frame may not carry (1004–1006, 1015, outside 1000–4999).
        throw new LifelineServerError('INVALID_OPTIONS', `cannot close with ${code}`, { cause })
      }
    },
    write,
    beat() {
      if (socket.readyState !== OPEN) return
      if (!answered) {
        host.count('deadPeers')
        return socket.terminate()
      }
      answered = false
      socket.ping()
    },
    shareLimit(shared) {
      limit = shared
    },
    takeFirst(take) {
      taker = take
    },
    open() {
      const frames = held
      held = null
      for (const [raw, isBinary] of frames ?? []) {
        if (cut) return
        read(raw, isBinary)
      }
    },
  }
  return peer
}
