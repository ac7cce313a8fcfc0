import { afterEach, describe, expect, it } from 'vitest'
import {
  type DropEvent,
  isLifelineError,
  type Overflow,
  type QueueStore,
  type SendResult,
  type Socket,
  type StoredItem,
} from '../../src/index.js'
import {
  type Chat,
  FAST_RECONNECT,
  nextEvent,
  payloadsOf,
  Resources,
  range,
  recordEvents,
  sendNumbered,
  seqs,
} from '../support/client.js'
import { sleep, within } from '../support/faults.js'
import type { TestServer } from '../support/server.js'

const resources = new Resources()
afterEach(() => resources.dispose())

interface Marked extends Chat {
  marker: undefined
}

/** A socket whose server has crashed: open once, then `reconnecting` with the server down. */
async function offline<Out extends Chat = Chat>(options: Parameters<Resources['connect']>[1] = {}) {
  const server = await resources.server()
  const socket = resources.connect<Chat, Out>(server.url(), { reconnect: FAST_RECONNECT, ...options })
  const log = recordEvents(socket)
  await nextEvent(socket, 'open')
  const dropped = nextEvent(socket, 'close')
  await server.crash()
  await dropped
  return { server, socket, log }
}

/**
 * Brings the server back, waits for the link, then sends a marker on it: once the marker
 * has arrived, so has everything the queue flushed before it, and nothing more will.
 */
async function restoreAndDrain(server: TestServer, socket: Socket<Chat, Marked>): Promise<void> {
  const reopened = nextEvent(socket, 'open')
  await server.start()
  socket.reconnect() // now, instead of at the end of the backoff wait
  await reopened
  expect(socket.send('marker')).toBe('sent')
  await server.until(() => server.messagesOf('marker').length === 1, 'the marker')
}

interface Login extends Marked {
  auth: undefined
  authOk: undefined
}

const dropSeqs = (drops: DropEvent[]) => drops.map((d) => (d.data as { seq: number }).seq)

describe('10,000 sends while offline into a queue of 1,000', () => {
  const SENDS = 10_000
  const MAX = 1000

  it.each<[Overflow, { kept: number[]; dropped: number[]; results: SendResult[] | 'throws' }]>([
    ['drop-oldest', { kept: range(9000, 10_000), dropped: range(0, 9000), results: Array(SENDS).fill('queued') }],
    [
      'drop-newest',
      {
        kept: range(0, 1000),
        dropped: range(1000, 10_000),
        results: [...Array(MAX).fill('queued'), ...Array(SENDS - MAX).fill('dropped')],
      },
    ],
    ['error', { kept: range(0, 1000), dropped: [], results: 'throws' }],
  ])('%s: exact drops, and the kept messages arrive once, in order', async (overflow, expected) => {
    const { server, socket, log } = await offline<Marked>({ queue: { maxMessages: MAX, overflow } })

    const results: SendResult[] = []
    const thrown: number[] = []
    for (let seq = 0; seq < SENDS; seq++) {
      try {
        results.push(socket.send('chat', { text: `message ${seq}`, seq }))
      } catch (error) {
        if (!isLifelineError(error) || error.code !== 'QUEUE_FULL') throw error
        thrown.push(seq)
      }
    }
    expect(socket.getSnapshot().queued).toBe(MAX)
    await restoreAndDrain(server, socket as Socket<Chat, Marked>)

    const drops = payloadsOf(log, 'drop')
    expect(drops.every((d) => d.reason === 'overflow' && d.type === 'chat')).toBe(true)
    expect(dropSeqs(drops)).toEqual(expected.dropped)
    if (expected.results === 'throws') {
      // 'error' throws for each refused message and emits nothing.
      expect(results).toEqual(Array(MAX).fill('queued'))
      expect(thrown).toEqual(range(MAX, SENDS))
    } else {
      expect(results).toEqual(expected.results)
      expect(thrown).toEqual([])
    }
    expect(seqs(server.messagesOf('chat'))).toEqual(expected.kept)
    expect(server.last.messages.map((m) => m.type)).toEqual([...Array(MAX).fill('chat'), 'marker'])
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', queued: 0 })
  })
})

describe('ttl during an outage', () => {
  it('expires messages by age, oldest first, while younger ones survive to be delivered once, in order', async () => {
    const ttl = 400
    const { server, socket, log } = await offline<Marked>({ queue: { ttl } })

    sendNumbered(socket, 0, 10)
    // Time is the subject: the second batch is younger by half a ttl.
    await sleep(ttl / 2)
    sendNumbered(socket, 10, 10)
    const tenExpired = new Promise<void>((resolve) =>
      socket.on('drop', () => payloadsOf(log, 'drop').length === 10 && resolve()),
    )
    await within(tenExpired, 'the first ten to expire')
    expect(socket.getSnapshot().queued).toBe(10)
    await restoreAndDrain(server, socket as Socket<Chat, Marked>)

    expect(payloadsOf(log, 'drop').map((d) => [d.reason, (d.data as { seq: number }).seq])).toEqual(
      range(0, 10).map((seq) => ['expired', seq]),
    )
    expect(seqs(server.messagesOf('chat'))).toEqual(range(10, 20))
  })

  it('never sends a message whose ttl passed while onOpen was still running', async () => {
    const server = await resources.server()
    // The server takes its time to accept the login: longer than the queued messages may wait.
    server.onMessage = (message, connection) => {
      if (message.type !== 'auth') return undefined
      setTimeout(() => connection.send({ type: 'authOk' }), 250)
      return true
    }
    const socket = resources.connect<Login, Login>(server.url(), {
      reconnect: FAST_RECONNECT,
      queue: { ttl: 100 },
      onOpen: (s) => {
        s.send('auth')
        return new Promise<void>((resolve) => s.once('authOk', () => resolve()))
      },
    })
    const log = recordEvents(socket)
    for (let seq = 0; seq < 3; seq++) expect(socket.send('chat', { text: `message ${seq}`, seq })).toBe('queued')

    await nextEvent(socket, 'open')
    socket.send('marker')
    await server.until(() => server.messagesOf('marker').length === 1, 'the marker')

    expect(payloadsOf(log, 'drop').map((d) => [d.reason, (d.data as { seq: number }).seq])).toEqual([
      ['expired', 0],
      ['expired', 1],
      ['expired', 2],
    ])
    expect(server.received.map((m) => m.type)).toEqual(['auth', 'marker'])
  })
})

describe('a payload the codec cannot encode', () => {
  const cyclic: Record<string, unknown> = { text: 'loop' }
  cyclic.self = cyclic

  const bad: Array<[string, unknown]> = [
    ['a BigInt', 10n],
    ['a BigInt deep inside', { list: [1, { n: 2n }] }],
    ['a cycle', cyclic],
    [
      'a throwing toJSON',
      {
        toJSON: () => {
          throw new Error('no')
        },
      },
    ],
  ]

  it.each(bad)('%s throws ENCODE_FAILED from send while offline, and the queue is untouched', async (_, data) => {
    const { server, socket, log } = await offline<Marked>()
    sendNumbered(socket, 0, 2)
    const before = socket.getSnapshot()

    let thrown: unknown
    try {
      socket.send('chat', data as Chat['chat'])
    } catch (error) {
      thrown = error
    }

    expect(thrown).toMatchObject({ name: 'LifelineError', code: 'ENCODE_FAILED', cause: expect.any(Error) })
    expect(socket.getSnapshot()).toBe(before) // the very same snapshot: queued still 2
    sendNumbered(socket, 2, 1)
    await restoreAndDrain(server, socket as Socket<Chat, Marked>)
    expect(seqs(server.messagesOf('chat'))).toEqual([0, 1, 2])
    expect(payloadsOf(log, 'drop')).toEqual([])
    // Thrown to the caller, never emitted: the only errors are the failed reconnect attempts.
    expect(payloadsOf(log, 'error').every((e) => e.code === 'CONNECT_FAILED')).toBe(true)
  })

  it.each(bad)('%s throws ENCODE_FAILED from send while open, and nothing reaches the server', async (_, data) => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Marked>(server.url())
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')

    expect(() => socket.send('chat', data as Chat['chat'])).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
    expect(socket.send('marker')).toBe('sent')
    await server.until(() => server.received.length === 1, 'the marker')

    expect(server.received).toEqual([{ type: 'marker' }])
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', queued: 0, lastError: null })
    expect(payloadsOf(log, 'error')).toEqual([])
  })
})

describe('a persisted queue (queue.store) across refused attempts', () => {
  /** A store over an array, as a page's storage would be: load gives back what save kept. */
  const memoryStore = (initial: StoredItem[] = []): QueueStore & { items: StoredItem[] } => ({
    items: initial,
    load() {
      return this.items
    },
    save(items) {
      this.items = items
    },
  })
  /** Resolves at the `count`th `reconnecting` event: that many attempts have failed. */
  const failedAttempts = (socket: Socket<Chat, Marked>, count: number) =>
    new Promise<void>((resolve) => {
      let seen = 0
      socket.on('reconnecting', () => ++seen === count && resolve())
    })

  it('sends each message once, however many attempts are refused', async () => {
    const store = memoryStore()
    const { server, socket, log } = await offline<Marked>({ queue: { store } })
    sendNumbered(socket, 0, 3)
    await within(failedAttempts(socket as Socket<Chat, Marked>, 7), 'seven refused attempts')
    await restoreAndDrain(server, socket as Socket<Chat, Marked>)
    expect(seqs(server.messagesOf('chat'))).toEqual([0, 1, 2])
    expect(payloadsOf(log, 'drop')).toEqual([])
    expect(store.items).toEqual([])
  })

  it('leaves out malformed stored items without an unhandled rejection, and opens', async () => {
    const server = await resources.server()
    const store = memoryStore([
      null,
      { frame: '***', binary: true, expiresAt: null },
      { frame: JSON.stringify({ type: 'chat', data: { seq: 7 } }), type: 'chat', expiresAt: null },
    ] as unknown as StoredItem[])
    const socket = resources.connect<Chat, Marked>(server.url(), { reconnect: FAST_RECONNECT, queue: { store } })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')
    expect(socket.send('marker')).toBe('sent')
    await server.until(() => server.messagesOf('marker').length === 1, 'the marker')
    expect(seqs(server.messagesOf('chat'))).toEqual([7])
    expect(payloadsOf(log, 'error').map((error) => error.code)).toEqual(['STORE_FAILED'])
  })
})
