import {
  ACCEPT,
  AUTH,
  type ChannelPosition,
  type CloseInfo,
  encodeEnvelope,
  envelope,
  errorOf,
  errorReply,
  isPing,
  pongFrame,
  type ReplyOf,
  reply,
  type SendArgs,
} from '@lifeline/core/protocol'
import { type Client, Server } from 'mock-socket'
import { hop, markCleanClose, offeredProtocols, type Route, routeKey, routes, TestWebSocket } from './TestWebSocket.js'
import { createChannels, type TestHistoryOptions } from './testChannels.js'

/** The accept a token gets: no expiry, no heartbeat advice (tests keep their own timers). */
const ACCEPT_FRAME = JSON.stringify({ type: ACCEPT, data: {} })

/** A frame as it travels: text, or bytes. */
export type Frame = string | ArrayBuffer

/** A message map, as `{ type: payload }`, when none is given: any type, any payload. */
export type AnyMessages = Record<string, unknown>

/** Options of {@link createTestServer}. */
export interface TestServerOptions {
  /** The URL it listens on; by default a new `ws://lifeline.test/<n>` for each server. */
  url?: string
  /** How much of each channel's history it keeps. */
  history?: TestHistoryOptions
}

/** The arguments after the request in `reply(request, data)`: as {@link SendArgs}, for the reply's type. */
export type ReplyArgs<Replies, K> =
  undefined extends ReplyOf<Replies, K> ? [data?: ReplyOf<Replies, K>] : [data: ReplyOf<Replies, K>]

/**
 * A JSON envelope of type `K` the server received: a message, or a request when it has an `id`.
 *
 * @typeParam In - what clients send, as `{ type: payload }` (the client's `Outgoing`).
 * @typeParam Out - what the server sends, as `{ type: payload }` (the client's `Incoming`).
 */
export interface ReceivedEnvelope<
  In = AnyMessages,
  Out = AnyMessages,
  K extends keyof In & string = keyof In & string,
> {
  /** The envelope's `type`. */
  type: K
  /** The envelope's `data`, as the client sent it (typed by `In`, not checked). */
  data: In[K]
  /** The envelope's `id`: set when the client sent a request (`socket.request`). */
  id: string | undefined
  /** The frame as it arrived. */
  frame: Frame
  /** The connection it came on. */
  connection: TestConnection<In, Out>
}

/** A frame the server received that is no typed envelope: a reply to the server, or a frame that is not a JSON envelope. */
export interface UntypedMessage<In = AnyMessages, Out = AnyMessages> {
  /** Always `undefined`: the frame had no `type`, or was no JSON envelope. */
  type: undefined
  /** The envelope's `data`; for a frame that is not a JSON envelope, the frame itself. */
  data: unknown
  /** The envelope's `id`, if it had one. */
  id: string | undefined
  /** The frame as it arrived. */
  frame: Frame
  /** The connection it came on. */
  connection: TestConnection<In, Out>
}

/**
 * One message the server received, decoded: checking `type` narrows `data` to `In[type]`.
 *
 * @typeParam In - what clients send, as `{ type: payload }` (the client's `Outgoing`).
 * @typeParam Out - what the server sends, as `{ type: payload }` (the client's `Incoming`).
 */
export type ReceivedMessage<In = AnyMessages, Out = AnyMessages> =
  | { [K in keyof In & string]: ReceivedEnvelope<In, Out, K> }[keyof In & string]
  | UntypedMessage<In, Out>

/**
 * How a connection ended, as the client saw it: `CloseInfo`, the one close shape of every package.
 * @deprecated Use `CloseInfo` (from `@lifeline/core`).
 */
export type ConnectionClose = CloseInfo

/**
 * One client connection, as the server sees it.
 *
 * @typeParam In - what the client sends, as `{ type: payload }` (the client's `Outgoing`).
 * @typeParam Out - what the server sends, as `{ type: payload }` (the client's `Incoming`).
 */
export interface TestConnection<In = AnyMessages, Out = AnyMessages> {
  /** The URL the client connected to, query included (a token, say). */
  readonly url: string
  /** The subprotocols the client offered. */
  readonly protocols: readonly string[]
  /** Every message received on this connection, oldest first (heartbeat pings excepted). */
  readonly messages: readonly ReceivedMessage<In, Out>[]
  /** Whether it is still open. */
  readonly open: boolean
  /** Resolves when the connection ends, from either side. */
  readonly closed: Promise<CloseInfo>
  /** Sends the JSON envelope `{ type, data }` to this client (delivered at once). */
  send<K extends keyof Out & string>(type: K, ...data: SendArgs<Out, K>): void
  /** Sends a frame as it is. */
  sendRaw(frame: Frame): void
  /**
   * Closes with a close handshake; the client sees `code` and `reason`. Resolves once it has.
   * @param code - e.g. 1012 (restart), 4401 (unauthorized); 1000, the default, is final for Lifeline.
   */
  close(code?: number, reason?: string): Promise<CloseInfo>
  /** Cuts the connection without a close handshake, as a crash does: the client sees 1006. Resolves once it has. */
  drop(): Promise<CloseInfo>
}

/**
 * The test server {@link createTestServer} returns.
 *
 * @typeParam In - what clients send, as `{ type: payload }` (the client's `Outgoing`).
 * @typeParam Out - what the server sends, as `{ type: payload }` (the client's `Incoming`).
 * @typeParam Replies - what the server replies to requests, keyed by the `In` type asked (the client's `Replies`).
 * @typeParam Channels - the payload of each channel's publications, by channel name (a template
 * literal type covers a family: `{ [room: \`room:${string}\`]: ChatLine }`).
 */
export interface TestServer<In = AnyMessages, Out = AnyMessages, Replies = {}, Channels = AnyMessages> {
  /** The URL to connect to: `ws://lifeline.test/<n>` unless one was given. */
  readonly url: string
  /** The WebSocket class to connect with: `connect(server.url, { WebSocket: server.WebSocket })`. */
  readonly WebSocket: typeof TestWebSocket
  /** Every connection accepted, oldest first. */
  readonly connections: readonly TestConnection<In, Out>[]
  /** Every message received on any connection, in arrival order (heartbeat pings excepted). */
  readonly messages: readonly ReceivedMessage<In, Out>[]
  /** Heartbeat pings received (`{"type":"ping"}` or the text frame `ping`), answered or not. */
  readonly pings: number
  /**
   * Resolves with the next connection: the first one no earlier call returned, so a connection made
   * before the call counts. Rejects when the server stops first.
   *
   * @example
   * ```ts
   * const socket = connect(server.url, { WebSocket: server.WebSocket })
   * const connection = await server.waitForConnection()
   * ```
   */
  waitForConnection(): Promise<TestConnection<In, Out>>
  /**
   * Resolves with the first message no earlier call returned that matches: a message type, or a
   * predicate. Without one, the next message. Rejects when the server stops first.
   *
   * Each message goes to one call at most: when it arrives, to the oldest call waiting that it
   * matches; else it stays for the next call that matches it. A call made in a `handle` handler
   * comes after the calls that were waiting when the request arrived, so it gets the request only
   * if none of them took it.
   *
   * @example
   * ```ts
   * socket.send('chat', { text: 'hi' })
   * expect((await server.waitForMessage('chat')).data).toEqual({ text: 'hi' })
   * ```
   */
  waitForMessage<K extends keyof In & string>(type: K): Promise<ReceivedEnvelope<In, Out, K>>
  /** Resolves with the first message not yet returned that the type guard `match` accepts, narrowed to `M`. */
  waitForMessage<M extends ReceivedMessage<In, Out>>(
    match: (message: ReceivedMessage<In, Out>) => message is M,
  ): Promise<M>
  /** Resolves with the first message not yet returned that `match` accepts; without `match`, the next message. */
  waitForMessage(match?: (message: ReceivedMessage<In, Out>) => boolean): Promise<ReceivedMessage<In, Out>>
  /** Sends the JSON envelope `{ type, data }` to every open connection (delivered at once). */
  send<K extends keyof Out & string>(type: K, ...data: SendArgs<Out, K>): void
  /** Sends a frame as it is to every open connection. */
  sendRaw(frame: Frame): void
  /**
   * Answers a request: `{ "re": request.id, "data": data }` on the connection it came on.
   *
   * @example
   * ```ts
   * const user = socket.request('getUser', { id: '42' })
   * server.reply(await server.waitForMessage('getUser'), { name: 'Ada' })
   * expect(await user).toEqual({ name: 'Ada' })
   * ```
   */
  reply<M extends ReceivedMessage<In, Out>>(request: M, ...data: ReplyArgs<Replies, M['type']>): void
  /** Answers a request with an error: `{ "re": request.id, "error": error }`; the client rejects with `REQUEST_FAILED`. */
  replyError(request: ReceivedMessage<In, Out>, error: { code?: string; message?: string }): void
  /**
   * Answers every request of `type` from now on with what `handler` returns (awaited); a throw or
   * rejection becomes an error reply (`{ code, message }` of what was thrown). Returns the function
   * that stops answering.
   *
   * @example
   * ```ts
   * server.handle('getUser', ({ id }) => ({ name: `user ${id}` }))
   * server.handle('placeOrder', () => {
   *   throw Object.assign(new Error('out of tea'), { code: 'SOLD_OUT' }) // REQUEST_FAILED at the client
   * })
   * ```
   */
  handle<K extends keyof In & string>(
    type: K,
    handler: (
      data: In[K],
      request: ReceivedEnvelope<In, Out, K>,
    ) => ReplyOf<Replies, K> | PromiseLike<ReplyOf<Replies, K>>,
  ): () => void
  /**
   * Closes every open connection with a close handshake; see {@link TestConnection.close}. Resolves
   * once every client has seen it.
   *
   * @example
   * ```ts
   * await server.close(1012, 'restart') // the client reconnects after its backoff delay
   * ```
   */
  close(code?: number, reason?: string): Promise<void>
  /** Cuts every open connection without a close handshake, as a crash does (the clients see 1006). Resolves once they have. */
  drop(): Promise<void>
  /**
   * Refuses the next `times` handshakes: each fails before opening (`error`, then close 1006), as a
   * server that is down or rejects the upgrade. `Infinity` refuses until `refuse(0)`.
   * @param times - @default 1
   */
  refuse(times?: number): void
  /**
   * Turns the server into a black hole, or back (`false`): nothing gets through in either direction,
   * pings go unanswered, and new handshakes never complete (until it is lifted). What the heartbeat
   * and the connect timeout are for.
   * @param on - @default true
   */
  blackhole(on?: boolean): void
  /**
   * Whether heartbeat pings get a pong.
   * @param on - @default true (the server starts answering)
   */
  answerPings(on: boolean): void
  /**
   * Publishes into a channel, as the server's `hub.publish` does: the next offset, kept in the
   * channel's history and sent at once to every connection in the channel. Returns its position.
   * Clients publish with `$publish` (`room.publish(data)`), answered the same way.
   *
   * @example
   * ```ts
   * const room = channel<{ text: string }>(socket, 'room:42')
   * expect(server.publish('room:42', { text: 'hi' })).toEqual({ epoch: 'e1', offset: 1 })
   * ```
   */
  publish<K extends keyof Channels & string>(channel: K, data: Channels[K]): ChannelPosition
  /**
   * Drops the oldest publications of a channel's history, keeping the newest `keep`: a client
   * that comes back from before them gets a `trimmed` gap instead of a replay.
   * @param keep - @default 0
   */
  trimHistory(channel: string, keep?: number): void
  /**
   * Starts the channel over in a new epoch, at offset 0 with nothing kept, as a server that lost
   * its history: a client that comes back gets an `epoch` gap. Returns the new position.
   */
  resetChannel(channel: string): ChannelPosition
  /** The channel's position now: its epoch and the offset of its last publication (0 before the first). */
  position(channel: string): ChannelPosition
  /**
   * Refuses joins of a channel, or of the channels `match` says, with `JOIN_REFUSED` (the client's
   * channel becomes `failed`). Returns the function that stops refusing.
   */
  refuseJoins(match: string | ((channel: string) => boolean)): () => void
  /** The open connections in a channel now: a subscriber on each joined and has not left. */
  joined(channel: string): readonly TestConnection<In, Out>[]
  /** Cuts every connection, stops listening and rejects pending waits. Call it after each test. */
  stop(): void
}

let servers = 0

function decode(frame: Frame): Record<string, unknown> | undefined {
  if (typeof frame !== 'string') return undefined
  try {
    const value: unknown = JSON.parse(frame)
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const message = (type: string, data: unknown) => encodeEnvelope(envelope(type, data))

/**
 * Values handed out in order, each to at most one waiter. A new value goes to the oldest waiter
 * that accepts it; a new waiter takes the oldest value that no one took and it accepts.
 */
function cursor<T>() {
  const waiters: Array<{ accept(value: T): boolean; resolve(value: T): void; reject(error: Error): void }> = []
  const taken = new Set<T>()
  return {
    wait(all: readonly T[], accept: (value: T) => boolean): Promise<T> {
      const found = all.find((value) => !taken.has(value) && accept(value))
      if (found !== undefined) {
        taken.add(found)
        return Promise.resolve(found)
      }
      return new Promise((resolve, reject) => waiters.push({ accept, resolve, reject }))
    },
    offer(value: T) {
      const index = waiters.findIndex((waiter) => waiter.accept(value))
      if (index < 0) return
      const [waiter] = waiters.splice(index, 1)
      taken.add(value)
      waiter?.resolve(value)
    },
    fail(error: Error) {
      for (const waiter of waiters.splice(0)) waiter.reject(error)
    },
  }
}

/**
 * An in-memory WebSocket server for tests, built on mock-socket. Connect to it with its
 * `WebSocket` class; it records connections and messages, answers heartbeat pings and requests,
 * and plays faults: a close with any code, a crash, refused handshakes, a black hole, silence.
 *
 * Works the same under fake timers (vitest's, Jest's) and real ones: mock-socket's hops run as
 * microtasks, so `await server.waitForConnection()` needs no timer, and fake timers move only your
 * code's (and Lifeline's) time.
 *
 * A client's token (its `auth` option) is accepted at once: the `$auth` frame is recorded among
 * the messages (type `$auth`, data `{ token }`) and answered with `$accept`. To refuse it, close the
 * connection with 4401 from `waitForMessage('$auth')`.
 *
 * It speaks channels (`@lifeline/core/channels`) as `@lifeline/server` does: joins answered with
 * the replay of what was missed or a gap, publications numbered and kept (`history.size`, 1000 by
 * default), `$publish` deduped by id; `publish`, `trimHistory`, `resetChannel` and `refuseJoins`
 * play the server's side.
 *
 * Its type parameters are the client's, seen from the server: what it receives (`In`, the client's
 * `Outgoing`), what it sends (`Out`, the client's `Incoming`) and what it replies (`Replies`). They
 * type `waitForMessage`, `send`, `reply` and `handle`; without them, any type and payload goes.
 *
 * @param options - the URL it listens on (by default a new `ws://lifeline.test/<n>` for each
 * server), or `{ url?, history? }`.
 * @typeParam In - what clients send, as `{ type: payload }` (the client's `Outgoing`).
 * @typeParam Out - what the server sends, as `{ type: payload }` (the client's `Incoming`).
 * @typeParam Replies - what the server replies to requests, keyed by the `In` type asked (the client's `Replies`).
 * @typeParam Channels - the payload of each channel's publications, by channel name.
 * @example
 * ```ts
 * import { connect } from '@lifeline/core'
 * import { createTestServer } from '@lifeline/testing'
 * import { expect } from 'vitest'
 *
 * interface Incoming { chat: { from: string; text: string } }
 * interface Outgoing { chat: { text: string }; getUser: { id: string } }
 * interface Replies { getUser: { name: string } }
 *
 * const server = createTestServer<Outgoing, Incoming, Replies>()
 * server.handle('getUser', ({ id }) => ({ name: `user ${id}` }))
 * const socket = connect<Incoming, Outgoing, Replies>(server.url, { WebSocket: server.WebSocket })
 * await server.waitForConnection()
 * socket.send('chat', { text: 'hi' })
 * expect((await server.waitForMessage('chat')).data).toEqual({ text: 'hi' })
 * expect(await socket.request('getUser', { id: '42' })).toEqual({ name: 'user 42' })
 * server.send('chat', { from: 'Ada', text: 'hello' })
 * socket.dispose()
 * server.stop()
 * ```
 */
export function createTestServer<In = AnyMessages, Out = AnyMessages, Replies = {}, Channels = AnyMessages>(
  options: string | TestServerOptions = {},
): TestServer<In, Out, Replies, Channels> {
  const { url = `ws://lifeline.test/${++servers}`, history } = typeof options === 'string' ? { url: options } : options
  const key = routeKey(url)
  if (routes.has(key)) throw new Error(`a test server is listening on ${key} already: stop() it first`)
  // verifyClient is asked at each handshake; `false` fails it.
  const mock = new Server(url, { mock: false, verifyClient: () => !refuseOne() })
  const held: Array<() => void> = []
  const route: Route = { hold: null }
  routes.set(key, route)

  const connections: TestConnection[] = []
  const messages: ReceivedMessage[] = []
  const handlers = new Map<string, (data: unknown, request: ReceivedMessage) => unknown>()
  const newConnections = cursor<TestConnection>()
  const newMessages = cursor<ReceivedMessage>()
  const channels = createChannels<TestConnection>(history)
  let refusals = 0
  const refuseOne = () => {
    if (refusals <= 0) return false
    refusals--
    return true
  }
  let pongs = true
  let pings = 0
  let blackholed = false
  let stopped = false

  const answer = (
    request: ReceivedMessage,
    outcome: { data: unknown } | { error: Parameters<typeof errorReply>[1] },
  ) => {
    if (request.id === undefined) return
    const frame = 'error' in outcome ? errorReply(request.id, outcome.error) : reply(request.id, outcome.data)
    request.connection.sendRaw(encodeEnvelope(frame))
  }
  /**
   * Runs a handler for `request` and replies: never an unhandled rejection, whatever the handler
   * throws or returns. A reply JSON cannot carry (a BigInt, a cycle) goes as an error reply.
   */
  const run = (handler: (data: unknown, request: ReceivedMessage) => unknown, request: ReceivedMessage) => {
    const respond = (outcome: Parameters<typeof answer>[1]) => {
      try {
        answer(request, outcome)
      } catch {
        answer(request, { error: { message: 'cannot encode the reply' } })
      }
    }
    new Promise((resolve) => resolve(handler(request.data, request))).then(
      (data) => respond({ data }),
      (thrown: unknown) => respond({ error: errorOf(thrown) }),
    )
  }

  mock.on('connection', (client: Client) => {
    const target = (client as unknown as { target: TestWebSocket }).target
    let open = true
    let resolveClosed: (close: CloseInfo) => void = () => {}
    const own: ReceivedMessage[] = []
    const connection: TestConnection = {
      url: target.url,
      protocols: offeredProtocols.get(target) ?? [],
      messages: own,
      get open() {
        return open
      },
      closed: new Promise((resolve) => {
        resolveClosed = resolve
      }),
      send: (type: string, data?: unknown) => connection.sendRaw(message(type, data)),
      sendRaw(frame) {
        if (open && !blackholed) client.send(frame)
      },
      close(code = 1000, reason = '') {
        if (open) {
          open = false
          markCleanClose(target)
          hop(() => client.close({ code, reason, wasClean: true }))
        }
        return connection.closed
      },
      drop() {
        if (open) {
          open = false
          hop(() => client.close({ code: 1006, reason: '', wasClean: false }))
        }
        return connection.closed
      },
    }
    client.on('close', ((event: { code: number; reason: string }) => {
      open = false
      channels.closed(connection)
      resolveClosed({ code: event.code, reason: event.reason, wasClean: event.code !== 1006 })
    }) as never)
    client.on('message', (frame) => {
      if (!open || blackholed) return
      const raw = frame as Frame
      const decoded = decode(raw)
      if (isPing(decoded ?? raw)) {
        pings++
        if (pongs) connection.sendRaw(pongFrame(decoded ?? raw))
        return
      }
      const message: ReceivedMessage = decoded
        ? {
            type: typeof decoded.type === 'string' ? decoded.type : undefined,
            data: decoded.data,
            id: typeof decoded.id === 'string' ? decoded.id : undefined,
            frame: raw,
            connection,
          }
        : { type: undefined, data: raw, id: undefined, frame: raw, connection }
      own.push(message)
      messages.push(message)
      // Waiting calls first: a `waitForMessage` made by the handler comes after them.
      newMessages.offer(message)
      // A client's token (its `auth` option) is accepted at once, as a server without `authenticate` would.
      if (message.type === AUTH && message.id === undefined) return connection.sendRaw(ACCEPT_FRAME)
      if (channels.receive(connection, message.type, message.id, message.data)) return
      const handler = message.type === undefined || message.id === undefined ? undefined : handlers.get(message.type)
      if (handler) run(handler, message)
    })
    connections.push(connection)
    newConnections.offer(connection)
  })

  const open = () => connections.filter((connection) => connection.open)
  // Untyped inside: the type parameters only say what the test declared the messages to be.
  const server = {
    url,
    WebSocket: TestWebSocket,
    connections,
    messages,
    get pings() {
      return pings
    },
    waitForConnection: () => newConnections.wait(connections, () => true),
    waitForMessage(match?: string | ((message: ReceivedMessage) => boolean)) {
      const accept =
        match === undefined
          ? () => true
          : typeof match === 'string'
            ? (message: ReceivedMessage) => message.type === match
            : match
      return newMessages.wait(messages, accept)
    },
    send: (type: string, data?: unknown) => server.sendRaw(message(type, data)),
    sendRaw(frame: Frame) {
      for (const connection of open()) connection.sendRaw(frame)
    },
    reply: (request: ReceivedMessage, data?: unknown) => answer(request, { data }),
    replyError: (request: ReceivedMessage, error: { code?: string; message?: string }) => answer(request, { error }),
    handle(type: string, handler: (data: unknown, request: ReceivedMessage) => unknown) {
      handlers.set(type, handler)
      return () => {
        if (handlers.get(type) === handler) handlers.delete(type)
      }
    },
    async close(code?: number, reason?: string) {
      await Promise.all(open().map((connection) => connection.close(code, reason)))
    },
    async drop() {
      await Promise.all(open().map((connection) => connection.drop()))
    },
    refuse(times = 1) {
      refusals = times
    },
    blackhole(on = true) {
      blackholed = on
      route.hold = on ? (complete) => held.push(complete) : null
      if (!on) for (const complete of held.splice(0)) Promise.resolve().then(complete)
    },
    answerPings(on: boolean) {
      pongs = on
    },
    publish: (channel: string, data: unknown) => channels.publish(channel, data),
    trimHistory: channels.trimHistory,
    resetChannel: channels.resetChannel,
    position: channels.position,
    refuseJoins: channels.refuseJoins,
    joined: channels.joined,
    stop() {
      if (stopped) return
      stopped = true
      blackholed = false
      server.drop()
      mock.stop()
      routes.delete(key)
      // Handshakes held by the black hole now fail: there is no server any more.
      for (const complete of held.splice(0)) Promise.resolve().then(complete)
      const error = new Error(`the test server at ${url} was stopped`)
      newConnections.fail(error)
      newMessages.fail(error)
      channels.clear()
    },
  } satisfies Record<keyof TestServer, unknown>
  return server as unknown as TestServer<In, Out, Replies, Channels>
}
