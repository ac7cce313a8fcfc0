import { describe, expect, it } from 'vitest'
import { type QueueLimits, SendQueue } from '../sendQueue.js'

const limits: QueueLimits = { maxMessages: 3, maxBytes: 1000, overflow: 'drop-oldest', ttl: Number.POSITIVE_INFINITY }

function fill(queue: SendQueue, ids: number[], bytes = 10, now = 0) {
  return ids.map((id) => queue.push(queue.entry('n', id, String(id), bytes, now)))
}
const ids = (items: { data: unknown }[]) => items.map((item) => item.data)

describe('SendQueue', () => {
  it('keeps messages in order', () => {
    const queue = new SendQueue(limits)
    fill(queue, [1, 2, 3])
    expect(ids(queue.clear())).toEqual([1, 2, 3])
    expect(queue.size).toBe(0)
    expect(queue.bytes).toBe(0)
  })

  it('drop-oldest evicts from the front to make room', () => {
    const queue = new SendQueue(limits)
    const results = fill(queue, [1, 2, 3, 4, 5])
    expect(results.map((r) => r.accepted)).toEqual([true, true, true, true, true])
    expect(results.flatMap((r) => ids(r.evicted))).toEqual([1, 2])
    expect(ids(queue.clear())).toEqual([3, 4, 5])
  })

  it('drop-newest and error refuse the new message and keep the rest', () => {
    for (const overflow of ['drop-newest', 'error'] as const) {
      const queue = new SendQueue({ ...limits, overflow })
      const results = fill(queue, [1, 2, 3, 4])
      expect(results.at(-1)).toEqual({ accepted: false, evicted: [] })
      expect(ids(queue.clear())).toEqual([1, 2, 3])
    }
  })

  it('counts bytes against maxBytes', () => {
    const queue = new SendQueue({ ...limits, maxMessages: 100, maxBytes: 25 })
    const results = fill(queue, [1, 2, 3], 10)
    expect(results.flatMap((r) => ids(r.evicted))).toEqual([1])
    expect(queue.bytes).toBe(20)
  })

  it('refuses a message larger than the whole queue without evicting anything', () => {
    const queue = new SendQueue({ ...limits, maxBytes: 25 })
    fill(queue, [1], 10)
    expect(queue.push(queue.entry('big', 2, 'x', 26, 0))).toEqual({ accepted: false, evicted: [] })
    expect(queue.size).toBe(1)
  })

  it('expires messages older than ttl, oldest first', () => {
    const queue = new SendQueue({ ...limits, ttl: 100 })
    fill(queue, [1], 10, 0)
    fill(queue, [2], 10, 50)
    expect(queue.nextExpiry()).toBe(100)
    expect(ids(queue.expire(99))).toEqual([])
    expect(ids(queue.expire(100))).toEqual([1])
    expect(ids(queue.expire(1000))).toEqual([2])
    expect(queue.nextExpiry()).toBeUndefined()
  })

  it('stays correct across many pushes and shifts', () => {
    const queue = new SendQueue({ ...limits, maxMessages: 1000, maxBytes: Number.POSITIVE_INFINITY })
    const evicted: unknown[] = []
    for (let i = 0; i < 10_000; i++) evicted.push(...ids(queue.push(queue.entry('n', i, 'x', 1, 0)).evicted))
    expect(evicted).toEqual(Array.from({ length: 9000 }, (_, i) => i))
    expect(ids(queue.clear())).toEqual(Array.from({ length: 1000 }, (_, i) => 9000 + i))
  })
})
