import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConnectOptions } from '../options.js'
import type { Snapshot } from '../types.js'
import { FakeWebSocket } from './fakeWebSocket.js'
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
