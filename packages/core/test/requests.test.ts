import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest'
import {
  type ConnectOptions,
  type DropEvent,
  isLifelineError,
  type LifelineError,
  type QueueOptions,
  type Socket,
} from '../src/index.js'
import {
  type Chat,
  clientWebSocket,
  FAST_HEARTBEAT,
  FAST_RECONNECT,
  nextEvent,
  payloadsOf,
  Resources,
  recordEvents,
  untilSnapshot,
  untilStatus,
} from './support/client.js'
import { FaultyNetwork, recordingLogger, within } from './support/faults.js'
import type { Envelope, TestServer } from './support/server.js'

const resources = new Resources()
afterEach(() => resources.dispose())

/** What the server sends: chat echoes, and requests for the client's handlers. */
interface Incoming extends Chat {
  confirm: { text: string }
  lookup: { key: string }
  refuse: undefined
  decline: undefined
  unencodable: undefined
}
/** What the client sends and asks. */
interface Outgoing extends Chat {
  getUser: { id: string }
  whoami: undefined
  note: { n: number }
}
/** Reply types, keyed by the request type. */
interface Replies {
  getUser: { name: string }
  whoami: string
}
type App = Socket<Incoming, Outgoing, Replies>

/** Waits far longer than any reconnect here, so a socket that lost its link stays `reconnecting`. */
const NO_RETRY_SOON = { initialDelay: 60_000, maxDelay: 60_000, jitter: 'none' } as const

/** What the promise rejected with; fails the test if it resolved. */
async function rejection(promise: Promise<unknown>): Promise<LifelineError> {
  const outcome = await within(
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    'the request to settle',
  )
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`)
  if (!isLifelineError(outcome.error)) throw outcome.error
  return outcome.error
}

/** Whether the promise has settled yet, read without waiting for it. */
function track(promise: Promise<unknown>): { readonly settled: boolean } {
  const state = { settled: false }
  promise.then(
    () => {
      state.settled = true
    },
    () => {
      state.settled = true
    },
  )
  return state
}

let markers = 0
/**
 * Sends a chat and waits until the server has it: the socket writes in order, so whatever it
 * would have written before the marker has arrived by then, and what has not will not.
 */
async function drained(socket: App, server: TestServer): Promise<void> {
  const seq = ++markers
  expect(socket.send('chat', { text: 'marker', seq })).toBe('sent')
  await server.until(() => server.messagesOf('chat').some((m) => (m.data as { seq: number }).seq === seq), 'the marker')
}

/** Sends a chat and waits for its echo: every frame the server sent before the echo has been read by then. */
async function roundTrip(socket: App): Promise<void> {
  const seq = ++markers
  const echo = new Promise<void>((resolve) => {
    const off = socket.on('chat', (chat) => {
      if (chat.seq !== seq) return
      off()
      resolve()
    })
  })
  expect(socket.send('chat', { text: 'marker', seq })).toBe('sent')
  await within(echo, 'the marker echo')
}

/** The id of the `n`th request of `type` the server received (0 for the first), once it has. */
async function idAtServer(server: TestServer, type: string, n = 0): Promise<string> {
  await server.until(() => server.messagesOf(type).length > n, `request ${n + 1} of type ${type}`)
  return server.messagesOf(type)[n]?.id as string
}

/** An open socket on a real server, with every message event it emits. */
async function openSocket(options: Parameters<Resources['connect']>[1] = {}) {
  const server = await resources.server()
  const socket = resources.connect<Incoming, Outgoing, Replies>(server.url(), options)
  const messages: unknown[] = []
  socket.on('message', (message) => messages.push(message))
  await nextEvent(socket, 'open')
  return { server, socket, messages }
}

/** An open socket through the fault proxy, reconnecting fast. */
async function openThroughProxy(options: ConnectOptions<Incoming, Outgoing> = {}) {
  const network = await FaultyNetwork.start(resources)
  const socket = resources.connect<Incoming, Outgoing, Replies>(network.url(), {
    reconnect: FAST_RECONNECT,
    ...options,
  })
  const log = recordEvents(socket)
  await nextEvent(socket, 'open')
  return { network, server: network.server, socket, log }
}

/** Cuts the link and waits until the socket has noticed. */
async function cutLink(network: FaultyNetwork, socket: App): Promise<void> {
  const closed = nextEvent(socket, 'close')
  network.cut()
  await closed
}

describe('a request the server answers', () => {
  it('resolves with the reply data, typed by Replies; the wire carries the envelope with an id', async () => {
    const { server, socket, messages } = await openSocket()
    server.respond('getUser', (data) => ({ name: `user ${(data as { id: string }).id}` }))

    const reply = socket.request('getUser', { id: '42' })
    expectTypeOf(reply).toEqualTypeOf<Promise<{ name: string }>>()
    expect(socket.getSnapshot().pending).toBe(1)

    expect(await reply).toEqual({ name: 'user 42' })
    expect(socket.getSnapshot()).toMatchObject({ pending: 0, queued: 0 })
    const [request] = server.messagesOf('getUser')
    expect(request).toEqual({ type: 'getUser', data: { id: '42' }, id: expect.any(String) })
    expect(server.handled.get(request?.id as string)).toBe(1)
    expect(messages).toEqual([]) // the reply was no message event
  })

  it('sends no data field for a request without data, and resolves with what the reply carries', async () => {
    const { server, socket } = await openSocket()
    server.respond('whoami', () => 'ana')

    const name = socket.request('whoami')
    expectTypeOf(name).toEqualTypeOf<Promise<string>>()

    expect(await name).toBe('ana')
    expect(server.messagesOf('whoami')).toEqual([{ type: 'whoami', id: expect.any(String) }])
  })

  it('rejects with REQUEST_FAILED on an error reply: the server message in the message, its error as the cause', async () => {
    const { server, socket } = await openSocket()
    server.respond('getUser', () => {
      throw Object.assign(new Error('no such user'), { code: 'NOT_FOUND' })
    })

    const error = await rejection(socket.request('getUser', { id: '7' }))

    expect(error.code).toBe('REQUEST_FAILED')
    expect(error.message).toContain('no such user')
    expect(error.cause).toEqual({ code: 'NOT_FOUND', message: 'no such user' })
    expect(socket.getSnapshot().pending).toBe(0)
  })

  it('rejects with REQUEST_FAILED on an error reply with neither code nor message', async () => {
    const { server, socket } = await openSocket()
    const asked = socket.request('getUser', { id: '7' })
    const id = await idAtServer(server, 'getUser')

    server.last.send({ re: id, error: {} })
    const error = await rejection(asked)

    expect(error.code).toBe('REQUEST_FAILED')
    expect(error.cause).toEqual({})
  })
})

describe('timeouts', () => {
  it('do not count queued time; AbortSignal.timeout bounds the wait from the call, and what it aborts is never sent', async () => {
    const server = await resources.server()
    const socket = resources.connect<Incoming, Outgoing, Replies>(server.url(), { autoConnect: false })
    const log = recordEvents(socket)

    const patient = socket.request('getUser', { id: 'patient' }, { timeout: 20 })
    const signal = AbortSignal.timeout(60)
    const bounded = socket.request('getUser', { id: 'bounded' }, { timeout: 20, signal })
    expect(socket.getSnapshot()).toMatchObject({ status: 'idle', queued: 2, pending: 2 })
    const waiting = track(patient)
    const error = await rejection(bounded)

    // 60 ms queued: past both timeouts, which have not started.
    expect(error.code).toBe('REQUEST_ABORTED')
    expect(waiting.settled).toBe(false)
    expect(socket.getSnapshot()).toMatchObject({ queued: 1, pending: 1 })
    socket.open()
    const id = await idAtServer(server, 'getUser')
    server.last.send({ re: id, data: { name: 'patient' } })
    expect(await patient).toEqual({ name: 'patient' })
    await drained(socket, server)
    expect(server.messagesOf('getUser').map((m) => m.data)).toEqual([{ id: 'patient' }])
    expect(payloadsOf(log, 'drop')).toEqual([]) // a rejected promise says it; no drop event too
  })

  it('use requestTimeout by default; a request with timeout: Infinity outlives it; a late reply is ignored', async () => {
    const { server, socket, messages } = await openSocket({ requestTimeout: 50 })
    const errors: string[] = []
    socket.on('error', (error) => errors.push(error.code))

    const shortLived = rejection(socket.request('getUser', { id: 'default timeout' }))
    const patient = socket.request('getUser', { id: 'no timeout' }, { timeout: Number.POSITIVE_INFINITY })
    const [first, second] = [await idAtServer(server, 'getUser', 0), await idAtServer(server, 'getUser', 1)]
    const waiting = track(patient)

    expect((await shortLived).code).toBe('REQUEST_TIMEOUT')
    expect(socket.getSnapshot().pending).toBe(1)
    server.last.send({ re: first, data: { name: 'too late' } })
    await roundTrip(socket)
    expect(waiting.settled).toBe(false)
    server.last.send({ re: second, data: { name: 'patient' } })

    expect(await patient).toEqual({ name: 'patient' })
    expect(socket.getSnapshot().pending).toBe(0)
    expect(messages.filter((m) => (m as Envelope).re !== undefined)).toEqual([])
    expect(errors).toEqual([])
  })

  it('refuses a negative or NaN timeout with INVALID_OPTIONS, synchronously', async () => {
    const { socket } = await openSocket()
    for (const timeout of [-1, Number.NaN]) {
      expect(() => socket.request('getUser', { id: '1' }, { timeout })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      )
    }
    expect(socket.getSnapshot().pending).toBe(0)
  })
})

describe('aborting', () => {
  it('a signal aborted before the call rejects at once with its reason as the cause, and nothing is sent', async () => {
    const { server, socket } = await openSocket()
    const controller = new AbortController()
    const reason = new Error('user navigated away')
    controller.abort(reason)

    const asked = socket.request('getUser', { id: '1' }, { signal: controller.signal })
    expect(socket.getSnapshot()).toMatchObject({ pending: 0, queued: 0 })
    const error = await rejection(asked)

    expect(error.code).toBe('REQUEST_ABORTED')
    expect(error.cause).toBe(reason)
    await drained(socket, server)
    expect(server.messagesOf('getUser')).toEqual([])
  })

  it('a queued request aborted leaves the queue and is never sent', async () => {
    const server = await resources.server()
    const socket = resources.connect<Incoming, Outgoing, Replies>(server.url(), { autoConnect: false })
    const controller = new AbortController()

    const asked = socket.request('getUser', { id: '1' }, { signal: controller.signal })
    expect(socket.getSnapshot()).toMatchObject({ queued: 1, pending: 1 })
    controller.abort('changed my mind')
    const error = await rejection(asked)

    expect(error).toMatchObject({ code: 'REQUEST_ABORTED', cause: 'changed my mind' })
    expect(socket.getSnapshot()).toMatchObject({ queued: 0, pending: 0 })
    socket.open()
    await untilStatus(socket, 'open')
    await drained(socket, server)
    expect(server.messagesOf('getUser')).toEqual([])
  })

  it('a request aborted in flight rejects, is not resent after the link drops, and its late reply is ignored', async () => {
    const { network, server, socket } = await openThroughProxy()
    const controller = new AbortController()
    const messages: unknown[] = []
    socket.on('message', (message) => messages.push(message))

    const asked = socket.request('getUser', { id: '1' }, { signal: controller.signal })
    const id = await idAtServer(server, 'getUser')
    controller.abort()
    expect((await rejection(asked)).code).toBe('REQUEST_ABORTED')
    expect(socket.getSnapshot().pending).toBe(0)

    await cutLink(network, socket)
    await untilStatus(socket, 'open')
    server.last.send({ re: id, data: { name: 'late' } })
    await roundTrip(socket)

    expect(server.copiesOf(id)).toHaveLength(1)
    expect(server.connections[1]?.messages.map((m) => m.type)).toEqual(['chat'])
    expect(messages).toEqual([{ type: 'chat', data: { text: 'marker', seq: markers } }])
  })
})

describe('a link lost after the request was written', () => {
  it('resends it with the same id, first on the next link; the server sees it twice, and it settles once', async () => {
    const { network, server, socket } = await openThroughProxy()
    const messages: unknown[] = []
    socket.on('message', (message) => messages.push(message))
    const answers = new Map<string, (name: string) => void>()
    server.respond(
      'getUser',
      (data) => new Promise((resolve) => answers.set((data as { id: string }).id, (name) => resolve({ name }))),
    )

    const asked = socket.request('getUser', { id: '1' })
    const id = await idAtServer(server, 'getUser')
    await cutLink(network, socket)
    // Sent while the link is down: queued, so they go out after the resend.
    expect(socket.send('note', { n: 1 })).toBe('queued')
    const later = socket.request('getUser', { id: '2' })
    expect(socket.getSnapshot()).toMatchObject({ queued: 2, pending: 2 })
    await untilStatus(socket, 'open')
    await server.until(() => server.connections[1]?.messages.length === 3, 'the resend and the queue')

    expect(server.connections[1]?.messages).toEqual([
      { type: 'getUser', data: { id: '1' }, id },
      { type: 'note', data: { n: 1 } },
      { type: 'getUser', data: { id: '2' }, id: expect.any(String) },
    ])
    expect(server.connections[1]?.messages[2]?.id).not.toBe(id)
    expect(server.copiesOf(id)).toHaveLength(2)
    // The server runs its handler once; its dedupe answers the copy on the live connection.
    answers.get('1')?.('ana')
    expect(await asked).toEqual({ name: 'ana' })
    // A second reply to the same id (a server without dedupe, answering both copies) is ignored.
    server.last.send({ re: id, data: { name: 'again' } })
    answers.get('2')?.('bo')
    expect(await later).toEqual({ name: 'bo' })
    await roundTrip(socket)

    expect(server.handled.get(id)).toBe(1)
    expect(socket.getSnapshot().pending).toBe(0)
    expect(messages.filter((m) => (m as Envelope).re !== undefined)).toEqual([])
  })

  it('resends after what onOpen sends synchronously (an auth message goes first), before the queue', async () => {
    let link = 0
    const { network, server, socket } = await openThroughProxy({
      onOpen: (handle) => void handle.send('note', { n: -++link }),
    })
    const asked = socket.request('getUser', { id: '1' }, { timeout: Number.POSITIVE_INFINITY })
    const id = await idAtServer(server, 'getUser')
    await cutLink(network, socket)
    expect(socket.send('note', { n: 1 })).toBe('queued')
    await untilStatus(socket, 'open')
    await server.until(() => server.connections[1]?.messages.length === 3, 'the second link to carry three frames')

    expect(server.connections[1]?.messages).toEqual([
      { type: 'note', data: { n: -2 } },
      { type: 'getUser', data: { id: '1' }, id },
      { type: 'note', data: { n: 1 } },
    ])
    server.last.send({ re: id, data: { name: 'ana' } })
    expect(await asked).toEqual({ name: 'ana' })
  })

  it('resends a request written into a black-holed link once the heartbeat notices, and gets its reply', async () => {
    const { network, server, socket, log } = await openThroughProxy({ heartbeat: FAST_HEARTBEAT })
    server.respond('getUser', (data) => ({ name: `user ${(data as { id: string }).id}` }))
    network.blackhole()

    // Written into a socket that looks open: the server never gets this copy.
    const reply = socket.request('getUser', { id: '9' })

    expect(await within(reply, 'the reply after the heartbeat noticed the black hole')).toEqual({ name: 'user 9' })
    expect(
      log.some(([type, payload]) => type === 'error' && (payload as LifelineError).code === 'HEARTBEAT_TIMEOUT'),
    ).toBe(true)
    expect(server.messagesOf('getUser')).toHaveLength(1)
    expect(server.connections.at(-1)?.messages.map((m) => m.type)).toContain('getUser')
  })

  it('with resend: false rejects with REQUEST_LOST and is not written again; one still queued is sent as usual', async () => {
    const { network, server, socket } = await openThroughProxy()
    server.respond('getUser', (data) => ({ name: `user ${(data as { id: string }).id}` }))
    server.onMessage = (message) => message.type === 'getUser' && (message.data as { id: string }).id === 'unanswered'

    const written = rejection(socket.request('getUser', { id: 'unanswered' }, { resend: false }))
    const id = await idAtServer(server, 'getUser')
    await cutLink(network, socket)
    expect((await written).code).toBe('REQUEST_LOST')
    const queued = socket.request('getUser', { id: 'queued' }, { resend: false })
    expect(socket.getSnapshot()).toMatchObject({ queued: 1, pending: 1 })

    expect(await queued).toEqual({ name: 'user queued' })
    await drained(socket, server)
    expect(server.copiesOf(id)).toHaveLength(1)
  })
})

describe('the socket closed for good', () => {
  /**
   * A socket with a request written to a link that dropped (waiting to be resent) and a request
   * queued since, waiting a minute for its retry.
   */
  async function withPendingRequests() {
    const { network, server, socket, log } = await openThroughProxy({ reconnect: NO_RETRY_SOON })
    const written = rejection(socket.request('getUser', { id: 'written' }, { timeout: Number.POSITIVE_INFINITY }))
    await idAtServer(server, 'getUser')
    await cutLink(network, socket)
    const queued = rejection(socket.request('getUser', { id: 'queued' }, { timeout: Number.POSITIVE_INFINITY }))
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', queued: 1, pending: 2 })
    return { server, socket, log, written, queued }
  }

  it.each([
    ['close()', (socket: App) => socket.close()],
    ['dispose()', (socket: App) => socket.dispose()],
  ])(
    '%s rejects every pending request with REQUEST_LOST; the queued one also emits drop (closed) with its id',
    async (_, end) => {
      const { server, socket, log, written, queued } = await withPendingRequests()

      end(socket)
      const [lostWritten, lostQueued] = [await written, await queued]

      expect([lostWritten.code, lostQueued.code]).toEqual(['REQUEST_LOST', 'REQUEST_LOST'])
      const drops = payloadsOf(log, 'drop')
      expect(drops).toEqual([{ type: 'getUser', data: { id: 'queued' }, reason: 'closed', id: expect.any(String) }])
      expect(drops[0]?.id).not.toBe(server.messagesOf('getUser')[0]?.id)
      expect(socket.getSnapshot()).toMatchObject({ status: 'closed', queued: 0, pending: 0 })
    },
  )

  it('a terminal close code from the server rejects the request in flight with REQUEST_LOST', async () => {
    const { server, socket } = await openSocket()
    const lost = rejection(socket.request('getUser', { id: '1' }))
    await idAtServer(server, 'getUser')

    await server.last.close(4401, 'unauthorized')

    expect((await lost).code).toBe('REQUEST_LOST')
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', pending: 0 })
  })

  it('giving up after maxAttempts rejects the request with REQUEST_LOST', async () => {
    const { server, socket } = await openSocket({ reconnect: { initialDelay: 10, jitter: 'none', maxAttempts: 1 } })
    const lost = rejection(socket.request('getUser', { id: '1' }, { timeout: Number.POSITIVE_INFINITY }))
    await idAtServer(server, 'getUser')

    await server.crash()

    expect((await lost).code).toBe('REQUEST_LOST')
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', pending: 0 })
  })

  it('a request made while closed is dropped (closed) and rejects with REQUEST_LOST at once', async () => {
    const { socket } = await openSocket()
    const log = recordEvents(socket)
    socket.close()

    const asked = socket.request('getUser', { id: '1' })
    expect(payloadsOf(log, 'drop')).toEqual([
      { type: 'getUser', data: { id: '1' }, reason: 'closed', id: expect.any(String) },
    ])
    expect(socket.getSnapshot().pending).toBe(0)
    const error = await rejection(asked)

    expect(error).toMatchObject({ code: 'REQUEST_LOST', cause: 'closed' })
  })
})

describe('dropped from the queue', () => {
  /** An idle socket (nothing opens it) with a queue of two. */
  async function offline(queue: boolean | QueueOptions) {
    const server = await resources.server()
    const socket = resources.connect<Incoming, Outgoing, Replies>(server.url(), { autoConnect: false, queue })
    const log = recordEvents(socket)
    return { server, socket, log }
  }

  it.each([
    ['drop-oldest', 'a'],
    ['drop-newest', 'c'],
  ] as const)(
    'overflow (%s): a drop event with the request id, and REQUEST_LOST with the reason as cause',
    async (overflow, lost) => {
      const { server, socket, log } = await offline({ maxMessages: 2, overflow })

      const asked = Object.fromEntries(['a', 'b', 'c'].map((id) => [id, socket.request('getUser', { id })]))
      expect(socket.getSnapshot()).toMatchObject({ queued: 2, pending: 2 })
      const error = await rejection(asked[lost] as Promise<unknown>)

      expect(error).toMatchObject({ code: 'REQUEST_LOST', cause: 'overflow' })
      const drops = payloadsOf(log, 'drop')
      expect(drops).toEqual([{ type: 'getUser', data: { id: lost }, reason: 'overflow', id: expect.any(String) }])
      server.respond('getUser', (data) => ({ name: (data as { id: string }).id }))
      socket.open()
      const kept = ['a', 'b', 'c'].filter((id) => id !== lost)
      expect(await Promise.all(kept.map((id) => asked[id]))).toEqual(kept.map((name) => ({ name })))
      expect(server.messagesOf('getUser').map((m) => m.id)).not.toContain(drops[0]?.id)
    },
  )

  it("overflow 'error': throws QUEUE_FULL synchronously, as send does; nothing is queued, pending or dropped", async () => {
    const { socket, log } = await offline({ maxMessages: 1, overflow: 'error' })
    const first = socket.request('getUser', { id: '1' })
    first.catch(() => {})

    expect(() => socket.request('getUser', { id: '2' })).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }))

    expect(socket.getSnapshot()).toMatchObject({ queued: 1, pending: 1 })
    expect(payloadsOf(log, 'drop')).toEqual([])
  })

  it('ttl: a drop event (expired) with the request id, and REQUEST_LOST with the reason as cause', async () => {
    const { socket, log } = await offline({ ttl: 30 })

    const asked = socket.request('getUser', { id: '1' }, { timeout: Number.POSITIVE_INFINITY })
    const error = await rejection(asked)

    expect(error).toMatchObject({ code: 'REQUEST_LOST', cause: 'expired' })
    expect(payloadsOf(log, 'drop')).toEqual([
      { type: 'getUser', data: { id: '1' }, reason: 'expired', id: expect.any(String) },
    ])
    expect(socket.getSnapshot()).toMatchObject({ queued: 0, pending: 0 })
  })

  it('queue: false: a request while not open rejects with REQUEST_LOST at once, with a drop event (offline)', async () => {
    const { socket, log } = await offline(false)

    const asked = socket.request('getUser', { id: '1' })
    expect(payloadsOf(log, 'drop')).toEqual([
      { type: 'getUser', data: { id: '1' }, reason: 'offline', id: expect.any(String) },
    ])
    expect(socket.getSnapshot()).toMatchObject({ queued: 0, pending: 0 })

    expect(await rejection(asked)).toMatchObject({ code: 'REQUEST_LOST', cause: 'offline' })
  })
})

describe('encoding', () => {
  it('throws ENCODE_FAILED synchronously for a payload the codec cannot encode; nothing is pending or sent', async () => {
    const { server, socket } = await openSocket()
    const cyclic: { id: string; self?: unknown } = { id: 'x' }
    cyclic.self = cyclic

    for (const data of [{ id: 1n }, cyclic]) {
      expect(() => socket.request('getUser', data as unknown as { id: string })).toThrow(
        expect.objectContaining({ code: 'ENCODE_FAILED' }),
      )
    }

    expect(socket.getSnapshot()).toMatchObject({ pending: 0, queued: 0 })
    await drained(socket, server)
    expect(server.messagesOf('getUser')).toEqual([])
  })
})

describe('replies', () => {
  it('a late, duplicate or unknown reply settles nothing and reaches no handler: replies are never message or type events', async () => {
    const { server, socket, messages } = await openSocket()
    const errors: string[] = []
    socket.on('error', (error) => errors.push(error.code))
    const chats: unknown[] = []
    socket.on('chat', (chat) => chats.push(chat))
    server.respond('getUser', () => ({ name: 'ana' }))
    const answered = socket.request('getUser', { id: '1' })
    const id = await idAtServer(server, 'getUser')
    expect(await answered).toEqual({ name: 'ana' })
    const unanswered = socket.request('whoami')
    const waiting = track(unanswered)

    server.last.send({ re: id, data: { name: 'duplicate' } })
    server.last.send({ re: id, error: { message: 'duplicate error' } })
    server.last.send({ re: 'never-asked', data: 'unknown' })
    server.last.send({ re: 'never-asked', type: 'chat', data: { text: 'a reply, not a chat', seq: 0 } })
    await roundTrip(socket)

    expect(messages).toEqual([{ type: 'chat', data: { text: 'marker', seq: markers } }])
    expect(chats).toEqual([{ text: 'marker', seq: markers }])
    expect(errors).toEqual([])
    expect(waiting.settled).toBe(false)
    expect(socket.getSnapshot().pending).toBe(1)
    socket.close()
    expect((await rejection(unanswered)).code).toBe('REQUEST_LOST')
  })
})

describe('snapshot.pending', () => {
  it('counts requests not settled, queued or in flight, and each state change publishes it', async () => {
    const server = await resources.server()
    const socket = resources.connect<Incoming, Outgoing, Replies>(server.url(), { autoConnect: false })
    const seen: Array<[number, number]> = []
    socket.on('state', ({ queued, pending }) => seen.push([queued, pending]))
    const answers: Array<() => void> = []
    server.respond('getUser', (data) => new Promise((resolve) => answers.push(() => resolve(data))))

    const asked = ['1', '2', '3'].map((id) => socket.request('getUser', { id }))
    expect(socket.getSnapshot()).toMatchObject({ queued: 3, pending: 3 })
    socket.open()
    await untilStatus(socket, 'open')
    expect(socket.getSnapshot()).toMatchObject({ queued: 0, pending: 3 })
    await server.until(() => answers.length === 3, 'three requests')
    for (const [n, answer] of answers.entries()) {
      answer()
      await asked[n]
      expect(socket.getSnapshot().pending).toBe(2 - n)
    }

    const counts = seen.map(([, pending]) => pending)
    expect(counts.slice(0, 3)).toEqual([1, 2, 3])
    expect(counts.slice(-3)).toEqual([2, 1, 0])
    expect(seen).toContainEqual([0, 3])
  })
})

describe('request ids', () => {
  it('are unique across requests and sockets, a resend keeps its id, and a new request never reuses one', async () => {
    const { network, server, socket } = await openThroughProxy()
    const other = resources.connect<Incoming, Outgoing, Replies>(network.url(), { reconnect: FAST_RECONNECT })
    await nextEvent(other, 'open')
    server.respond('getUser', (data) => ({ name: (data as { id: string }).id }))

    const first = Array.from({ length: 200 }, (_, n) => [socket, other][n % 2]?.request('getUser', { id: `${n}` }))
    await Promise.all(first)
    // Held unanswered across a cut, so its id is sent twice; then more requests.
    const isHeld = (message: Envelope) => (message.data as { id?: string } | undefined)?.id === 'held'
    server.onMessage = (message) => isHeld(message) && server.received.filter(isHeld).length === 1
    const held = socket.request('getUser', { id: 'held' })
    const heldId = await idAtServer(server, 'getUser', 200)
    network.cut()
    expect(await held).toEqual({ name: 'held' })
    const second = Array.from({ length: 200 }, (_, n) => [socket, other][n % 2]?.request('getUser', { id: `${n}` }))
    await Promise.all(second)

    const ids = server.messagesOf('getUser').map((m) => m.id as string)
    expect(ids.filter((id) => id === heldId)).toHaveLength(2)
    expect(new Set(ids).size).toBe(ids.length - 1)
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true)
  })

  it('are unique across fresh loads of the module, as after a reload or in another tab', async () => {
    // Each load has its own counter starting at zero: the ids differ only by the part each load draws at random.
    const firstIds: string[] = []
    for (let load = 0; load < 5; load++) {
      vi.resetModules()
      const core = (await import('../src/index.js')) as typeof import('../src/index.js')
      const socket = core.connect<Incoming, Outgoing>('ws://127.0.0.1:1/', {
        WebSocket: clientWebSocket.WebSocket,
        autoConnect: false,
        queue: false,
        browserEvents: false,
      })
      const drops: DropEvent[] = []
      socket.on('drop', (drop) => drops.push(drop))
      for (let n = 0; n < 3; n++) socket.request('getUser', { id: `${n}` }).catch(() => {})
      socket.dispose()
      expect(drops).toHaveLength(3)
      firstIds.push(drops[0]?.id as string)
    }

    expect(new Set(firstIds).size).toBe(firstIds.length)
  })
})

describe('socket.handle: the server asks, the client answers', () => {
  it('replies with the value, the awaited value, or an error reply for a throw or rejection', async () => {
    const { server, socket, messages } = await openSocket()
    const events: unknown[] = []
    socket.on('confirm', (data) => events.push(data))
    socket.handle('confirm', (data) => data.text === 'ok?')
    socket.handle('lookup', async ({ key }) => {
      await new Promise((resolve) => setTimeout(resolve, 5))
      return { key, value: 42 }
    })
    socket.handle('refuse', () => {
      throw Object.assign(new Error('not allowed'), { code: 'FORBIDDEN' })
    })
    socket.handle('decline', async () => {
      throw new Error('rejected')
    })

    const ws = server.last
    ws.send({ type: 'confirm', data: { text: 'ok?' }, id: 's1' })
    ws.send({ type: 'lookup', data: { key: 'answer' }, id: 's2' })
    ws.send({ type: 'refuse', id: 's3' })
    ws.send({ type: 'decline', id: 's4' })
    await server.until(() => ['s1', 's2', 's3', 's4'].every((id) => server.repliesTo(id).length === 1), 'four replies')

    expect(server.repliesTo('s1')).toEqual([{ re: 's1', data: true }])
    expect(server.repliesTo('s2')).toEqual([{ re: 's2', data: { key: 'answer', value: 42 } }])
    expect(server.repliesTo('s3')).toEqual([{ re: 's3', error: { code: 'FORBIDDEN', message: 'not allowed' } }])
    expect(server.repliesTo('s4')).toEqual([{ re: 's4', error: { message: 'rejected' } }])
    expect(events).toEqual([]) // a handled request is not also a type event…
    expect(messages).toEqual([]) // …nor a message event
  })

  it('an envelope of a handled type without an id is an ordinary message, with no reply', async () => {
    const { server, socket } = await openSocket()
    const handler = vi.fn(() => true)
    socket.handle('confirm', handler)
    const event = new Promise((resolve) => socket.once('confirm', resolve))

    server.last.send({ type: 'confirm', data: { text: 'fyi' } })

    expect(await event).toEqual({ text: 'fyi' })
    expect(handler).not.toHaveBeenCalled()
    await drained(socket, server)
    expect(server.received.filter((m) => m.re !== undefined)).toEqual([])
  })

  it('one handler per type: a second throws INVALID_OPTIONS; the function returned removes it', async () => {
    const { server, socket } = await openSocket()
    const off = socket.handle('confirm', () => 'first')
    expect(() => socket.handle('confirm', () => 'second')).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
    server.last.send({ type: 'confirm', data: { text: '1' }, id: 's1' })
    await server.until(() => server.repliesTo('s1').length === 1, 'the reply')
    expect(server.repliesTo('s1')).toEqual([{ re: 's1', data: 'first' }])

    off()
    const event = new Promise((resolve) => socket.once('confirm', resolve))
    server.last.send({ type: 'confirm', data: { text: '2' }, id: 's2' })
    expect(await event).toEqual({ text: '2' }) // unhandled now: an ordinary type event, unanswered
    socket.handle('confirm', () => 'third')
    server.last.send({ type: 'confirm', data: { text: '3' }, id: 's3' })
    await server.until(() => server.repliesTo('s3').length === 1, 'the reply')

    expect(server.repliesTo('s2')).toEqual([])
    expect(server.repliesTo('s3')).toEqual([{ re: 's3', data: 'third' }])
  })

  it('a reply the codec cannot encode is sent as an error reply, and reported as ENCODE_FAILED', async () => {
    const { server, socket } = await openSocket()
    const error = nextEvent(socket, 'error')
    socket.handle('unencodable', () => ({ big: 1n }))

    server.last.send({ type: 'unencodable', id: 's1' })
    await server.until(() => server.repliesTo('s1').length === 1, 'the reply')

    expect((await error).code).toBe('ENCODE_FAILED')
    expect(server.repliesTo('s1')).toEqual([{ re: 's1', error: { message: expect.any(String) } }])
  })

  it('a reply made while the link is down is queued and sent on the next link', async () => {
    const { network, server, socket } = await openThroughProxy({ reconnect: NO_RETRY_SOON })
    let answer: (value: string) => void = () => {}
    const asked = new Promise<void>((called) =>
      socket.handle('lookup', () => {
        called()
        return new Promise((resolve) => (answer = resolve))
      }),
    )
    server.last.send({ type: 'lookup', data: { key: 'k' }, id: 's1' })
    await within(asked, 'the handler to be called')
    await cutLink(network, socket)

    answer('v')
    await untilSnapshot(socket, (s) => s.queued === 1, 'the reply to be queued')
    expect(socket.getSnapshot().status).toBe('reconnecting')
    socket.reconnect()
    await server.until(() => server.repliesTo('s1').length === 1, 'the reply on the next link')

    expect(server.connections[1]?.messages).toEqual([{ re: 's1', data: 'v' }])
  })
})

describe('the logger', () => {
  it('writes a debug line for a reply that matches no pending request', async () => {
    const record = recordingLogger()
    const { server, socket } = await openSocket({ logger: record.logger })

    server.last.send({ re: 'never-asked', data: 1 })
    await roundTrip(socket)

    expect(record.lines.filter((line) => line.startsWith('debug') && line.includes('never-asked'))).toHaveLength(1)
  })
})
