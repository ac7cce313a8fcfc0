// A randomized re-entrancy run: a seeded schedule of server events, clock jumps, browser events
// and user calls, where every event handler and subscriber may itself call any public method.
// After every step, the invariants a user relies on are checked. A failure prints its seed;
// `LIFELINE_CHAOS_SEED=<seed>` replays it.

import { CorkableFakeWebSocket, FakeWebSocket, fakeWindow } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { mulberry32 } from '../../test/support/random.js'
import { connect, type Socket } from '../index.js'

const RUNS = 120
const STEPS = 250

/** What a user may call, given the socket (never `dispose`: a run ends with it). */
const CALLS: Array<[string, (socket: Socket, seq: () => number) => unknown]> = [
  ['send', (s, seq) => sent(seq(), (n) => s.send('chat', { seq: n }))],
  ['sendRaw', (s, seq) => s.sendRaw(new Uint8Array([seq() % 256]))],
  ['request', (s, seq) => s.request('ask', { seq: seq() }, { timeout: 5000 }).catch(() => {})],
  ['open', (s) => s.open()],
  ['close', (s) => s.close()],
  ['close 4000', (s) => s.close(4000, 'bye')],
  ['reconnect', (s) => s.reconnect()],
  ['reconnect force', (s) => s.reconnect({ force: true })],
  ['getSnapshot', (s) => s.getSnapshot()],
]

/** What a send answered, with the seq it sent (taken before the call: handlers may send more inside it). */
const sent = (seq: number, send: (seq: number) => string) => ({ seq, result: send(seq) })

interface Ledger {
  /** Every payload seq handed to send/request, with what send answered. */
  sent: Map<number, string>
  /** Seqs reported by drop events. */
  dropped: Set<number>
}

function seqOf(frame: unknown): number | undefined {
  if (frame instanceof Uint8Array) return undefined
  try {
    return (JSON.parse(String(frame)) as { data?: { seq?: number } }).data?.seq
  } catch {
    return undefined
  }
}

async function run(seed: number): Promise<number> {
  const random = mulberry32(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T
  const win = fakeWindow()
  const uncaught = vi.spyOn(console, 'error').mockImplementation(() => {})
  let next = 0
  const seq = () => ++next
  const ledger: Ledger = { sent: new Map(), dropped: new Set() }
  // Half the runs on a WebSocket like Node's ws, whose writes Lifeline batches by corking its TCP socket.
  const corkable = random() < 0.5
  const socket = connect('wss://example.test/live', {
    WebSocket: corkable ? CorkableFakeWebSocket : FakeWebSocket,
    browserEvents: win,
    autoConnect: random() < 0.8,
    heartbeat: random() < 0.5 && { interval: 1000, timeout: 500 },
    reconnect: { initialDelay: 50, maxDelay: 2000, maxAttempts: random() < 0.3 ? 3 : Number.POSITIVE_INFINITY },
    queue: { maxMessages: 20, ttl: random() < 0.5 ? 3000 : Number.POSITIVE_INFINITY },
    onOpen: random() < 0.5 ? undefined : (handle) => void handle.send('auth', 'token'),
  })
  let disposed = false
  let budget = 0
  const react = () => {
    if (disposed || budget <= 0 || random() > 0.25) return
    budget--
    const [name, call] = pick(CALLS)
    try {
      const result = call(socket, seq)
      if (name === 'send') {
        const { seq: s, result: answer } = result as ReturnType<typeof sent>
        ledger.sent.set(s, answer)
      }
    } catch (error) {
      if (!(error as { code?: string }).code) throw error
    }
  }
  for (const type of ['open', 'close', 'error', 'reconnecting', 'state', 'message', 'latency'] as const) {
    socket.on(type, react)
  }
  socket.on('drop', (drop) => {
    const s = (drop.data as { seq?: number } | undefined)?.seq
    if (s !== undefined) ledger.dropped.add(s)
    react()
  })
  socket.subscribe(react)

  /** What left for the server: on a corkable link, only what was let out of the cork. */
  const written = () => {
    const seqs: number[] = []
    for (const ws of FakeWebSocket.instances)
      for (const frame of ws instanceof CorkableFakeWebSocket ? ws.wire : ws.sent) {
        const s = seqOf(frame)
        if (s !== undefined && (JSON.parse(String(frame)) as { type: string }).type === 'chat') seqs.push(s)
      }
    return seqs
  }

  const check = (step: number, what: string) => {
    const where = `seed ${seed}, step ${step} (${what})`
    const live = FakeWebSocket.live()
    expect(live.length, `${where}: live WebSockets`).toBeLessThanOrEqual(1)
    const { status, queued } = socket.getSnapshot()
    if (status === 'open') expect(live[0]?.readyState, `${where}: open without an open link`).toBe(FakeWebSocket.OPEN)
    if (status === 'closed' || status === 'idle')
      expect(live, `${where}: a live WebSocket while ${status}`).toHaveLength(0)
    if (status === 'closed') {
      expect(vi.getTimerCount(), `${where}: timers left while closed`).toBe(0)
      expect(socket.getSnapshot(), `${where}: waiting while closed`).toMatchObject({ queued: 0, pending: 0 })
    }
    // Every chat message was written at most once, and never both written and dropped.
    const out = written()
    expect(new Set(out).size, `${where}: a message written twice`).toBe(out.length)
    for (const s of out) expect(ledger.dropped.has(s), `${where}: message ${s} written and dropped`).toBe(false)
    expect(queued, `${where}: queued`).toBeLessThanOrEqual(20)
    for (const ws of FakeWebSocket.instances) {
      if (ws instanceof CorkableFakeWebSocket) expect(ws.lost, `${where}: frames cut off in the cork`).toEqual([])
    }
  }

  for (let step = 0; step < STEPS; step++) {
    budget = 8
    const ws = FakeWebSocket.instances.at(-1)
    const roll = random()
    let what = ''
    if (roll < 0.25 && ws && ws.readyState === FakeWebSocket.CONNECTING) {
      what = random() < 0.7 ? 'server opens' : 'server refuses'
      if (what === 'server opens') ws.serverOpen()
      else ws.serverFail()
    } else if (roll < 0.4 && ws && ws.readyState === FakeWebSocket.OPEN) {
      what = 'server sends'
      const sent = ws.messages as Array<{ type?: string; id?: string }>
      const asked = sent.filter((m) => m.type === 'ask').at(-1)
      if (asked && random() < 0.5) ws.serverSend({ re: asked.id, data: 'yes' })
      else ws.serverSend(random() < 0.3 ? { type: 'pong' } : { type: 'news', data: step })
    } else if (roll < 0.5 && ws && ws.readyState === FakeWebSocket.OPEN) {
      what = 'server closes'
      ws.serverClose(pick([1000, 1001, 1006, 1011, 1013, 4000, 4401]))
    } else if (roll < 0.6) {
      what = 'browser event'
      win.fire(pick(['online', 'offline', 'pageshow']))
    } else if (roll < 0.65) {
      what = 'clock jump'
      vi.setSystemTime(Date.now() + pick([-86_400_000, -5000, 5000, 60_000]))
    } else if (roll < 0.85) {
      what = 'time passes'
      await vi.advanceTimersByTimeAsync(Math.floor(random() * 2500))
    } else {
      budget = 1
      what = 'user call'
      react()
      if (budget === 1) react() // react() skips at random: make the user act
    }
    check(step, what)
  }
  disposed = true
  socket.dispose()
  await vi.advanceTimersByTimeAsync(0)
  // Closed for good: nothing left, and every message was written or dropped.
  expect(vi.getTimerCount(), `seed ${seed}: timers after dispose`).toBe(0)
  expect(FakeWebSocket.live(), `seed ${seed}: live WebSockets after dispose`).toHaveLength(0)
  const corked = FakeWebSocket.instances.filter((ws) => ws instanceof CorkableFakeWebSocket && ws.corked)
  expect(corked, `seed ${seed}: a link left corked`).toEqual([])
  const out = new Set(written())
  for (const [s, result] of ledger.sent) {
    if (result === 'request') continue
    expect(out.has(s) || ledger.dropped.has(s), `seed ${seed}: message ${s} (${result}) lost without a drop`).toBe(true)
  }
  expect(uncaught, `seed ${seed}: an exception reached reportError`).not.toHaveBeenCalled()
  uncaught.mockRestore()
  return STEPS
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('randomized re-entrancy', () => {
  it(`keeps its invariants over ${RUNS} seeded runs of ${STEPS} steps, any method called from any event`, async () => {
    const given = Number(process.env.LIFELINE_CHAOS_SEED)
    const first = Number.isInteger(given) ? given : Math.floor(Math.random() * 2 ** 31)
    let steps = 0
    for (let i = 0; i < RUNS; i++) {
      FakeWebSocket.reset()
      steps += await run(first + i)
    }
    expect(steps).toBe(RUNS * STEPS)
  }, 60_000)
})
