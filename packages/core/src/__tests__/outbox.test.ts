import { describe, expect, it, vi } from 'vitest'
import type { QueueSettings } from '../outbox.js'
import { createOutbox, type Overflow } from '../outbox.js'
import type { DropReason, Outgoing, QueuedMessage } from '../types.js'

const limits: QueueSettings = { maxMessages: 3, maxBytes: 1000, overflow: 'drop-oldest', ttl: Number.POSITIVE_INFINITY }

/** An outbox whose link is down, with a clock the test moves and a log of drops. */
function offline(settings: QueueSettings | null = limits) {
  let time = 0
  const drops: Array<[unknown, DropReason]> = []
  const written: unknown[] = []
  const outbox = createOutbox(settings, {
    now: () => time,
    writable: () => null,
    closed: () => false,
    dropped: (message, reason) => drops.push([message.data, reason]),
    changed: () => {},
    atomic: (fn) => fn,
  })
  const ws = { send: (frame: unknown) => written.push(frame) } as never
  const send = (...list: Array<number | [number, string]>) =>
    list.map((entry) => {
      const [data, frame] = Array.isArray(entry) ? entry : [entry, String(entry)]
      return outbox.send({ type: 'n', data, frame } satisfies Outgoing)
    })
  const queued = () => outbox.items.map((item) => item.data)
  return { outbox, drops, written, ws, send, queued, advance: (ms: number) => (time += ms) }
}

describe('the outbox queue', () => {
  it('keeps messages in order and writes them oldest first', () => {
    const { outbox, send, written, ws } = offline()
    expect(send(1, 2, 3)).toEqual(['queued', 'queued', 'queued'])
    outbox.flush(ws, () => true)
    expect(written).toEqual(['1', '2', '3'])
    expect(outbox.items).toHaveLength(0)
  })

  it('drop-oldest evicts from the front to make room', () => {
    const { send, drops, queued } = offline()
    send(1, 2, 3, 4, 5)
    expect(drops).toEqual([
      [1, 'overflow'],
      [2, 'overflow'],
    ])
    expect(queued()).toEqual([3, 4, 5])
  })

  it('drop-newest and error refuse the new message and keep the rest', () => {
    const newest = offline({ ...limits, overflow: 'drop-newest' })
    expect(newest.send(1, 2, 3, 4)).toEqual(['queued', 'queued', 'queued', 'dropped'])
    expect(newest.drops).toEqual([[4, 'overflow']])
    const error = offline({ ...limits, overflow: 'error' })
    error.send(1, 2, 3)
    expect(() => error.send(4)).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }))
    expect(error.drops).toEqual([])
    expect(error.queued()).toEqual([1, 2, 3])
  })

  it('counts UTF-8 bytes against maxBytes', () => {
    const { send, drops, queued } = offline({ ...limits, maxMessages: 100, maxBytes: 25 })
    send([1, 'x'.repeat(10)], [2, 'é'.repeat(5)], [3, 'y'.repeat(10)])
    expect(drops).toEqual([[1, 'overflow']])
    expect(queued()).toEqual([2, 3])
  })

  it('refuses a message larger than the whole queue without evicting anything, whatever the policy', () => {
    const { send, drops, queued } = offline({ ...limits, maxBytes: 25 })
    send([1, 'x'.repeat(10)], [2, 'x'.repeat(26)])
    expect(drops).toEqual([[2, 'overflow']])
    expect(queued()).toEqual([1])
  })

  it('expires messages whose ttl has passed, oldest first', () => {
    const { send, drops, queued, advance } = offline({ ...limits, ttl: 100 })
    send(1)
    advance(50)
    send(2)
    advance(50)
    send(3) // the send expires what is due first
    expect(drops).toEqual([[1, 'expired']])
    expect(queued()).toEqual([2, 3])
  })

  it('keeps what a binary frame held at send time, whatever the caller does with its buffer', () => {
    const { outbox, written, ws } = offline()
    const buffer = new Uint8Array([1, 2, 3])
    outbox.send({ type: undefined, data: buffer, frame: buffer })
    buffer.fill(9)
    outbox.flush(ws, () => true)
    expect([...(written[0] as Uint8Array)]).toEqual([1, 2, 3])
  })

  it('stays correct across many pushes and evictions', () => {
    const { send, drops, queued } = offline({ ...limits, maxMessages: 1000, maxBytes: Number.POSITIVE_INFINITY })
    send(...Array.from({ length: 10_000 }, (_, i) => i))
    expect(drops.map(([data]) => data)).toEqual(Array.from({ length: 9000 }, (_, i) => i))
    expect(queued()).toEqual(Array.from({ length: 1000 }, (_, i) => 9000 + i))
  })

  it("drops at once with reason 'offline' when there is no queue", () => {
    const { send, drops } = offline(null)
    expect(send(1)).toEqual(['dropped'])
    expect(drops).toEqual([[1, 'offline']])
  })
})

/** Messages as a store gives them back: `expiresAt` on the outbox's clock, `Infinity` for never. */
const loaded = (...list: Array<[data: number, expiresAt?: number, id?: string]>): QueuedMessage[] =>
  list.map(([data, expiresAt = Number.POSITIVE_INFINITY, id]) => ({
    type: 'n',
    data,
    frame: String(data),
    bytes: String(data).length,
    expiresAt,
    ...(id !== undefined && { id }),
  }))

describe('messages loaded from a store', () => {
  it('go ahead of everything queued, and expired ones are dropped as such', () => {
    const { outbox, send, drops, queued, advance } = offline({ ...limits, maxMessages: 10 })
    advance(100)
    send(3)
    outbox.adopt(loaded([1, 200], [0, 50], [2]))
    expect(drops).toEqual([[0, 'expired']])
    expect(queued()).toEqual([1, 2, 3])
  })

  it('expire each at its own time, even behind one that never expires', () => {
    vi.useFakeTimers()
    try {
      const { outbox, drops, written, ws, advance } = offline({ ...limits, maxMessages: 10 })
      outbox.adopt(loaded([1, Number.POSITIVE_INFINITY, 'request'], [2, 100], [3], [4, 300]))
      advance(150)
      vi.advanceTimersByTime(150)
      expect(drops).toEqual([[2, 'expired']])
      advance(200)
      outbox.flush(ws, () => true) // before its timer: the flush expires what is due first
      expect(drops).toEqual([
        [2, 'expired'],
        [4, 'expired'],
      ])
      expect(written).toEqual(['1', '3'])
    } finally {
      vi.useRealTimers()
    }
  })

  it.each<[Overflow, number[], number[]]>([
    ['drop-oldest', [1, 2], [3, 4, 5]],
    ['drop-newest', [4, 5], [1, 2, 3]],
    ['error', [4, 5], [1, 2, 3]],
  ])('are held to maxMessages with %s, as if they had been sent first', (overflow, dropped, kept) => {
    const { outbox, send, drops, queued } = offline({ ...limits, overflow })
    send(4, 5)
    outbox.adopt(loaded([1], [2], [3]))
    expect(drops).toEqual(dropped.map((data) => [data, 'overflow']))
    expect(queued()).toEqual(kept)
  })

  it('are held to maxBytes, and one larger than the whole queue is refused on its own', () => {
    const { outbox, drops, queued } = offline({ ...limits, maxMessages: 100, maxBytes: 3 })
    outbox.adopt(loaded([1], [12345], [22], [3]))
    expect(drops).toEqual([
      [12345, 'overflow'],
      [1, 'overflow'],
    ])
    expect(queued()).toEqual([22, 3])
  })

  it('keep one copy of a request stored twice', () => {
    const { outbox, queued } = offline({ ...limits, maxMessages: 10 })
    outbox.adopt(loaded([1, undefined, 'a'], [2, undefined, 'a'], [3]))
    expect(queued()).toEqual([1, 3])
    expect(outbox.has('a')).toBe(true)
    outbox.remove('a')
    expect(outbox.has('a')).toBe(false)
    expect(queued()).toEqual([3])
  })

  it('cost no more per send, lookup or flush when there are many of them', () => {
    const QUEUED = 10_000
    const { outbox, send, ws, advance } = offline({ ...limits, maxMessages: QUEUED, ttl: 1000 })
    // Every read of a queued message's fields is counted: the work each call does.
    let reads = 0
    const counted = loaded(
      ...Array.from({ length: QUEUED }, (_, i): [number, number, string] => [i, 5000 + i, `r${i}`]),
    ).map(
      (message) =>
        new Proxy(message, {
          get(target, key, receiver) {
            reads++
            return Reflect.get(target, key, receiver)
          },
        }),
    )
    outbox.adopt(counted)
    const work = (step: () => unknown) => {
      reads = 0
      step()
      return reads
    }
    expect(work(() => outbox.has('r5000'))).toBeLessThan(10)
    expect(work(() => outbox.has('none'))).toBeLessThan(10)
    expect(work(() => outbox.remove('none'))).toBeLessThan(10)
    expect(work(() => send(1))).toBeLessThan(20) // evicts the oldest
    advance(100)
    expect(work(() => send(2))).toBeLessThan(20)
    expect(work(() => outbox.flush(ws, () => outbox.items.length > QUEUED - 3))).toBeLessThan(30)
  })
})
