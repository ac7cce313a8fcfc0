import { describe, expect, it } from 'vitest'
import { type QueuedMessage, type QueueLimits, SendQueue } from '../sendQueue.js'

const limits: QueueLimits = { maxMessages: 3, maxBytes: 1000, overflow: 'drop-oldest', ttl: Number.POSITIVE_INFINITY }

const entry = (id: number, bytes = 10, expiresAt = Number.POSITIVE_INFINITY): QueuedMessage => ({
  type: 'n',
  data: id,
  frame: String(id),
  bytes,
  expiresAt,
})
const ids = (items: { data: unknown }[]) => items.map((item) => item.data)
const fill = (queue: SendQueue, list: number[], bytes = 10) => list.flatMap((id) => ids(queue.push(entry(id, bytes))))

describe('SendQueue', () => {
  it('keeps messages in order', () => {
    const queue = new SendQueue(limits)
    fill(queue, [1, 2, 3])
    expect(ids(queue.clear())).toEqual([1, 2, 3])
    expect(queue.items).toHaveLength(0)
    expect(queue.bytes).toBe(0)
  })

  it('drop-oldest evicts from the front to make room', () => {
    const queue = new SendQueue(limits)
    expect(fill(queue, [1, 2, 3, 4, 5])).toEqual([1, 2])
    expect(ids(queue.clear())).toEqual([3, 4, 5])
  })

  it('drop-newest and error refuse the new message and keep the rest', () => {
    for (const overflow of ['drop-newest', 'error'] as const) {
      const queue = new SendQueue({ ...limits, overflow })
      expect(fill(queue, [1, 2, 3, 4])).toEqual([4])
      expect(ids(queue.clear())).toEqual([1, 2, 3])
    }
  })

  it('counts bytes against maxBytes', () => {
    const queue = new SendQueue({ ...limits, maxMessages: 100, maxBytes: 25 })
    expect(fill(queue, [1, 2, 3], 10)).toEqual([1])
    expect(queue.bytes).toBe(20)
  })

  it('refuses a message larger than the whole queue without evicting anything', () => {
    const queue = new SendQueue({ ...limits, maxBytes: 25 })
    fill(queue, [1], 10)
    expect(ids(queue.push(entry(2, 26)))).toEqual([2])
    expect(queue.items).toHaveLength(1)
  })

  it('expires messages whose time has come, oldest first', () => {
    const queue = new SendQueue(limits)
    queue.push(entry(1, 10, 100))
    queue.push(entry(2, 10, 150))
    expect(ids(queue.expire(99))).toEqual([])
    expect(ids(queue.expire(100))).toEqual([1])
    expect(ids(queue.expire(1000))).toEqual([2])
    expect(ids(queue.expire(2000))).toEqual([])
  })

  it('stays correct across many pushes and shifts', () => {
    const queue = new SendQueue({ ...limits, maxMessages: 1000, maxBytes: Number.POSITIVE_INFINITY })
    const evicted = fill(
      queue,
      Array.from({ length: 10_000 }, (_, i) => i),
      1,
    )
    expect(evicted).toEqual(Array.from({ length: 9000 }, (_, i) => i))
    expect(ids(queue.clear())).toEqual(Array.from({ length: 1000 }, (_, i) => 9000 + i))
  })
})
