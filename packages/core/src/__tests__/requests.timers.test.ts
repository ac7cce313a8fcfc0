import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConnectOptions } from '../options.js'
import type { Snapshot } from '../types.js'
import { openLink, setup } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => vi.useRealTimers())

/** An open socket with no timers of its own (no heartbeat, no stable timer), and its fake link. */
async function open(options: ConnectOptions = {}) {
  const { socket } = setup({ heartbeat: false, reconnect: false, ...options })
  const ws = await openLink()
  return { socket, ws, ids: () => ws.messages.map((m) => (m as { id: string }).id) }
}

/** What the promise settled with, once it has: `{ value }` or the rejection's code. */
function outcome(promise: Promise<unknown>) {
  const seen: { value?: unknown; code?: string } = {}
  promise.then(
    (value) => {
      seen.value = value
    },
    (error: { code: string }) => {
      seen.code = error.code
    },
  )
  return seen
}

describe('request deadlines', () => {
  it('100 requests in flight share one timer, and none is left once the last is answered', async () => {
    const { socket, ws, ids } = await open()
    const before = vi.getTimerCount()

    const asked = Array.from({ length: 100 }, (_, n) => socket.request('ask', { n }))
    expect(vi.getTimerCount()).toBe(before + 1)
    for (const id of ids()) ws.serverSend({ re: id, data: 'ok' })

    expect(await Promise.all(asked)).toEqual(Array(100).fill('ok'))
    expect(vi.getTimerCount()).toBe(before)
  })

  it('each request times out at its own deadline, a short one made after a long one first', async () => {
    const { socket } = await open()
    const long = outcome(socket.request('ask', 1, { timeout: 5000 }))
    await vi.advanceTimersByTimeAsync(1000)
    const short = outcome(socket.request('ask', 2, { timeout: 1000 }))

    await vi.advanceTimersByTimeAsync(999)
    expect([long.code, short.code]).toEqual([undefined, undefined])
    await vi.advanceTimersByTimeAsync(1)
    expect([long.code, short.code]).toEqual([undefined, 'REQUEST_TIMEOUT'])
    await vi.advanceTimersByTimeAsync(2999)
    expect(long.code).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(long.code).toBe('REQUEST_TIMEOUT')
    expect(socket.getSnapshot().pending).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a request answered before its deadline leaves the timer to the next one, which still times out on time', async () => {
    const { socket, ws, ids } = await open()
    const first = outcome(socket.request('ask', 1, { timeout: 1000 }))
    await vi.advanceTimersByTimeAsync(500)
    const second = outcome(socket.request('ask', 2, { timeout: 1000 }))
    ws.serverSend({ re: ids()[0], data: 'first' })

    await vi.advanceTimersByTimeAsync(999)
    expect([first.value, second.code]).toEqual(['first', undefined])
    await vi.advanceTimersByTimeAsync(1)
    expect(second.code).toBe('REQUEST_TIMEOUT')
  })

  it('on a busy socket, a request times out no earlier than its timeout: the clock keeps real time', async () => {
    // Real clocks, stubbed: `Date.now()` in 1 ms steps, `performance.now()` in 5 µs steps, moved
    // together by the test; only the timers are fake.
    vi.useRealTimers()
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { now: dateNow } = Date
    const performanceNow = performance.now
    let ticks = 0 // of 50 µs, counted in whole numbers so that no rounding creeps in
    Date.now = () => 1_700_000_000_000 + Math.floor(ticks / 20)
    performance.now = () => Math.floor(ticks * 10) / 200
    try {
      const { socket, ws } = await open()
      const slow = outcome(socket.request('ask', 'slow', { timeout: 2000 }))
      const short = outcome(socket.request('ask', 'short', { timeout: 100 }))
      // 20 requests a millisecond, each answered at once; the short one's expiry sets the timer for the slow one.
      const answered: Array<Promise<unknown>> = []
      for (let ms = 1; ms < 2000; ms++) {
        for (let n = 0; n < 20; n++) {
          ticks++
          answered.push(socket.request('ask', n))
          ws.serverSend({ re: JSON.parse(String(ws.sent.at(-1))).id, data: n })
        }
        await vi.advanceTimersByTimeAsync(1)
        if (ms === 100) expect(short.code).toBe('REQUEST_TIMEOUT')
      }
      expect(slow.code).toBeUndefined()
      ticks += 20
      await vi.advanceTimersByTimeAsync(1)
      expect(slow.code).toBe('REQUEST_TIMEOUT')
      await Promise.all(answered)
    } finally {
      Date.now = dateNow
      performance.now = performanceNow
    }
  })

  it('a timeout of Infinity sets no timer', async () => {
    const { socket } = await open()
    const before = vi.getTimerCount()
    socket.request('ask', 1, { timeout: Number.POSITIVE_INFINITY })
    expect(vi.getTimerCount()).toBe(before)
    expect(socket.getSnapshot().pending).toBe(1)
  })
})

describe('request timeouts count from the first write', () => {
  /** A socket whose link dropped: it retries after `delay` ms (no jitter); requests made now wait in the queue. */
  async function dropped(delay: number, options: ConnectOptions = {}) {
    const { socket, events } = setup({
      heartbeat: false,
      reconnect: { initialDelay: delay, jitter: 'none' },
      ...options,
    })
    const first = await openLink()
    first.serverClose(1006)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    /** The retry, `wait` ms from now: the next link opens; its requests, by id. */
    const back = async (wait = delay) => {
      await vi.advanceTimersByTimeAsync(wait)
      const ws = await openLink()
      return { ws, ids: () => ws.messages.map((m) => (m as { id: string }).id) }
    }
    return { socket, events, back }
  }

  it('a request queued for 60 s, through an outage longer than its timeout, is written on return and answered', async () => {
    const { socket, back } = await dropped(60_000, { requestTimeout: 10_000 })
    const asked = outcome(socket.request('ask', 1))
    await vi.advanceTimersByTimeAsync(59_999)
    expect(asked).toEqual({})
    const { ws, ids } = await back(1)
    expect(ids()).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(9000)
    ws.serverSend({ re: ids()[0], data: 'answer' })
    await vi.advanceTimersByTimeAsync(0)
    expect(asked).toEqual({ value: 'answer' })
    socket.dispose()
  })

  it('a queued request gets its whole timeout once written, and times out after it', async () => {
    const { socket, back } = await dropped(30_000)
    const asked = outcome(socket.request('ask', 1, { timeout: 1000 }))
    await back()
    await vi.advanceTimersByTimeAsync(999)
    expect(asked).toEqual({})
    await vi.advanceTimersByTimeAsync(1)
    expect(asked).toEqual({ code: 'REQUEST_TIMEOUT' })
    socket.dispose()
  })

  it('a request written, lost with its link and resent keeps the deadline of its first write', async () => {
    const { socket } = setup({ heartbeat: false, reconnect: { initialDelay: 300, jitter: 'none' } })
    const first = await openLink()
    const asked = outcome(socket.request('ask', 1, { timeout: 1000 }))
    await vi.advanceTimersByTimeAsync(500)
    first.serverClose(1006)
    await vi.advanceTimersByTimeAsync(300)
    const second = await openLink()
    const resent = second.messages as Array<{ id: string }>
    expect(resent.map((m) => m.id)).toEqual((first.messages as Array<{ id: string }>).map((m) => m.id))
    // Written at 0, resent at 800: it times out at 1000, not at 1800.
    await vi.advanceTimersByTimeAsync(199)
    expect(asked).toEqual({})
    await vi.advanceTimersByTimeAsync(1)
    expect(asked).toEqual({ code: 'REQUEST_TIMEOUT' })
    socket.dispose()
  })

  it('a request queued behind others on an open link starts its timeout when the queue writes it', async () => {
    const { socket } = setup({ heartbeat: false, reconnect: false, highWaterMark: 10 })
    const ws = await openLink()
    // A full send buffer: what is sent now waits in the queue until the link drains.
    Object.assign(ws, { bufferedAmount: 100 })
    expect(socket.send('bulk', 1)).toBe('queued')
    const asked = outcome(socket.request('ask', 1, { timeout: 1000 }))
    await vi.advanceTimersByTimeAsync(5000)
    expect(asked).toEqual({})
    expect(ws.messages).toEqual([])
    Object.assign(ws, { bufferedAmount: 0 })
    await vi.advanceTimersByTimeAsync(20) // the drain check
    expect(ws.messages).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(999)
    expect(asked).toEqual({})
    await vi.advanceTimersByTimeAsync(20)
    expect(asked).toEqual({ code: 'REQUEST_TIMEOUT' })
    socket.dispose()
  })

  it("the queue's ttl bounds a queued request: it drops (drop event) and rejects with REQUEST_LOST", async () => {
    const { socket, events, back } = await dropped(60_000, { queue: { ttl: 5000 } })
    const asked = socket.request('ask', 1)
    const seen = outcome(asked)
    await vi.advanceTimersByTimeAsync(5000)
    expect(seen).toEqual({ code: 'REQUEST_LOST' })
    await expect(asked).rejects.toMatchObject({ code: 'REQUEST_LOST', cause: 'expired' })
    expect(events.filter(([type]) => type === 'drop').map(([, drop]) => drop)).toEqual([
      expect.objectContaining({ type: 'ask', data: 1, reason: 'expired' }),
    ])
    const { ws } = await back()
    expect(ws.messages).toEqual([])
    expect(socket.getSnapshot()).toMatchObject({ pending: 0, queued: 0 })
    socket.dispose()
  })

  it('AbortSignal.timeout bounds a queued request: it aborts and is never sent', async () => {
    const { socket, back } = await dropped(60_000)
    const signal = AbortSignal.timeout(10) // real time: fake timers do not drive AbortSignal.timeout
    const asked = socket.request('ask', 1, { signal })
    await new Promise((resolve) => signal.addEventListener('abort', resolve))
    await expect(asked).rejects.toMatchObject({ code: 'REQUEST_ABORTED' })
    expect(socket.getSnapshot()).toMatchObject({ pending: 0, queued: 0 })
    const { ws } = await back()
    expect(ws.messages).toEqual([])
    socket.dispose()
  })

  it('requests queued and settled while offline leave nothing behind, and the next ones time out on time', async () => {
    const { socket, back } = await dropped(1000, { queue: { maxMessages: 2 } })
    // Evicted by the queue's overflow, oldest first: each rejects with REQUEST_LOST.
    const evicted = Array.from({ length: 100 }, (_, n) => outcome(socket.request('ask', n, { timeout: 500 })))
    await vi.advanceTimersByTimeAsync(0)
    expect(evicted.filter((seen) => seen.code === 'REQUEST_LOST')).toHaveLength(98)
    const { ws } = await back()
    expect(ws.messages).toEqual([expect.objectContaining({ data: 98 }), expect.objectContaining({ data: 99 })])
    await vi.advanceTimersByTimeAsync(500)
    expect(evicted.slice(98)).toEqual([{ code: 'REQUEST_TIMEOUT' }, { code: 'REQUEST_TIMEOUT' }])
    expect(vi.getTimerCount()).toBe(1) // the stable timer only
    socket.dispose()
  })
})

describe('queued and pending counts', () => {
  it('are current whenever the snapshot is read, with no state listener, and the snapshot keeps its identity in between', async () => {
    const { socket, ws, ids } = await open()
    const asked = socket.request('ask', 1)
    const during = socket.getSnapshot()
    expect(during).toMatchObject({ pending: 1, queued: 0 })
    expect(socket.getSnapshot()).toBe(during)

    ws.serverSend({ re: ids()[0], data: 'ok' })
    await asked
    expect(socket.getSnapshot()).toMatchObject({ pending: 0 })
    expect(Object.isFrozen(socket.getSnapshot())).toBe(true)
  })

  it('a count that changes and changes back within one call publishes no state event', async () => {
    const { socket } = setup({ autoConnect: false, queue: { maxMessages: 1, overflow: 'error' } })
    const states: Snapshot[] = []
    socket.on('state', (state) => states.push(state))
    socket.send('fill', 1)
    expect(states.map(({ queued }) => queued)).toEqual([1])
    states.length = 0

    // Pending goes to 1 and back to 0 as the full queue refuses the request.
    expect(() => socket.request('ask', 1)).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }))
    expect(states).toEqual([])
    expect(socket.getSnapshot()).toMatchObject({ pending: 0, queued: 1 })
  })
})
