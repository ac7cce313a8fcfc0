import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { memoryReplyStore } from '../memoryReplyStore.js'
import type { ReplyStore } from '../replyStore.js'

const TTL = 1000

function start(max = 100, maxBytes = 1_000_000): ReplyStore {
  const adapter = memoryReplyStore()
  adapter.start({ report: () => {}, dedupe: { ttl: TTL, max, maxBytes, claimTimeout: 2000 } })
  return adapter
}

const signal = () => new AbortController().signal

describe('memoryReplyStore', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['performance', 'Date', 'setTimeout'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('lets the first claim of a key run, and answers later claims with the reply stored for it', async () => {
    const adapter = start()
    expect(adapter.claim('a', signal())).toBeNull()
    const waiting = adapter.claim('a', signal())
    expect(waiting).toBeInstanceOf(Promise)
    adapter.settle('a', '{"re":"a","data":1}')
    await expect(waiting).resolves.toBe('{"re":"a","data":1}')
    expect(adapter.claim('a', signal())).toBe('{"re":"a","data":1}')
    expect(adapter.claim('b', signal())).toBeNull()
  })

  it('hands the first reply to every duplicate that waited for it', async () => {
    const adapter = start()
    adapter.claim('a', signal())
    const waiting = [adapter.claim('a', signal()), adapter.claim('a', signal())]
    adapter.settle('a', 'reply')
    await expect(Promise.all(waiting)).resolves.toEqual(['reply', 'reply'])
  })

  it('keeps a reply for ttl after it was made, then forgets the key', () => {
    const adapter = start()
    adapter.claim('a', signal())
    vi.advanceTimersByTime(TTL * 5) // a slow handler: the window counts from the reply
    adapter.settle('a', 'reply')
    vi.advanceTimersByTime(TTL - 1)
    expect(adapter.claim('a', signal())).toBe('reply')
    vi.advanceTimersByTime(1)
    expect(adapter.claim('a', signal())).toBeNull()
  })

  it('forgets an expired key even behind an older claim whose late reply expires after it', () => {
    const adapter = start()
    adapter.claim('slow', signal())
    vi.advanceTimersByTime(1)
    adapter.claim('fast', signal())
    adapter.settle('fast', 'fast reply')
    vi.advanceTimersByTime(TTL - 2)
    adapter.settle('slow', 'slow reply') // kept until 2 * TTL - 1
    vi.advanceTimersByTime(2)
    expect(adapter.claim('fast', signal())).toBeNull()
    expect(adapter.claim('slow', signal())).toBe('slow reply')
  })

  it('keeps at most max keys, forgetting the oldest first', () => {
    const adapter = start(3)
    for (const key of ['a', 'b', 'c', 'd']) {
      adapter.claim(key, signal())
      adapter.settle(key, `reply ${key}`)
    }
    expect(adapter.claim('b', signal())).toBe('reply b')
    expect(adapter.claim('a', signal())).toBeNull()
  })

  it('stays exact over many ids: the newest max are kept, in order', () => {
    const adapter = start(100)
    for (let i = 0; i < 5000; i++) {
      expect(adapter.claim(`id-${i}`, signal())).toBeNull()
      adapter.settle(`id-${i}`, `reply ${i}`)
    }
    expect(adapter.claim('id-4900', signal())).toBe('reply 4900')
    expect(adapter.claim('id-4999', signal())).toBe('reply 4999')
    expect(adapter.claim('id-4899', signal())).toBeNull()
  })

  it('never pushes out an id whose handler runs: the flood of another scope leaves it, its resend waits for the reply', async () => {
    const adapter = start(2)
    adapter.claim('slow', signal(), 'victim')
    for (let i = 0; i < 10_001; i++) {
      adapter.claim(`cheap-${i}`, signal(), 'flooder')
      adapter.settle(`cheap-${i}`, 'cheap')
    }
    const resend = adapter.claim('slow', signal(), 'victim')
    expect(resend).toBeInstanceOf(Promise)
    adapter.settle('slow', 'the one reply')
    await expect(resend).resolves.toBe('the one reply')
  })

  it("keeps max ids per scope: one scope past max pushes out its own oldest, never another scope's", () => {
    const adapter = start(3)
    adapter.claim('mine', signal(), 'a')
    adapter.settle('mine', 'kept')
    for (let i = 0; i < 100; i++) {
      adapter.claim(`theirs-${i}`, signal(), 'b')
      adapter.settle(`theirs-${i}`, 'x')
    }
    expect(adapter.claim('mine', signal(), 'a')).toBe('kept')
    expect(adapter.claim('theirs-99', signal(), 'b')).toBe('x')
    expect(adapter.claim('theirs-96', signal(), 'b')).toBeNull()
  })

  it('keeps at most maxBytes of keys and replies in all, the earliest claimed out first', () => {
    const adapter = start(1000, 100)
    for (const key of ['a', 'b', 'c']) {
      adapter.claim(key, signal(), key)
      adapter.settle(key, 'r'.repeat(40)) // 41 characters each
    }
    expect(adapter.claim('a', signal(), 'a')).toBeNull()
    expect(adapter.claim('c', signal(), 'c')).toBe('r'.repeat(40))
  })

  it('rejects a waiting duplicate with REQUEST_LOST when the first claim lapses without a reply', async () => {
    const adapter = start()
    adapter.claim('a', signal())
    const waiting = adapter.claim('a', signal())
    vi.advanceTimersByTime(TTL)
    expect(adapter.claim('b', signal())).toBeNull() // any claim sweeps what expired
    await expect(waiting).rejects.toMatchObject({ code: 'REQUEST_LOST' })
  })

  it('rejects a waiting duplicate with the signal reason when its peer leaves, and never after', async () => {
    const adapter = start()
    adapter.claim('a', signal())
    const left = new AbortController()
    const waiting = adapter.claim('a', left.signal)
    left.abort(new Error('peer left'))
    await expect(waiting).rejects.toThrow('peer left')
    adapter.settle('a', 'reply')
    expect(adapter.claim('a', AbortSignal.abort())).toBe('reply')
    expect(adapter.claim('b', signal())).toBeNull()
  })

  it('rejects waits at once for an aborted signal, and every wait on close()', async () => {
    const adapter = start()
    adapter.claim('a', signal())
    await expect(adapter.claim('a', AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone')
    const waiting = adapter.claim('a', signal())
    adapter.close()
    await expect(waiting).rejects.toMatchObject({ code: 'REQUEST_LOST' })
    expect(adapter.claim('a', signal())).toBeNull()
  })
})
