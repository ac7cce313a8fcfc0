// Floods from one peer against a server in its own process: each is bounded by a limit, counted,
// and leaves the other peers answered.
import { describe, expect, it } from 'vitest'
import { hostileClient, startServer } from './support.js'

/** Sends `count` frames made by `frame(i)` in slices of 1000 a turn, so the client's own buffers stay small. */
async function flood(send: (i: number) => void, count: number) {
  for (let i = 0; i < count; i++) {
    send(i)
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('floods from one peer', () => {
  it('answers 40,000 copies of one running id past maxInFlight with BUSY: the signal gets at most maxInFlight listeners', async () => {
    const server = await startServer({ rateLimit: false })
    const attacker = await hostileClient(server.url)
    const handling = server.next('handling')
    attacker.send({ type: 'slow', id: 'same', data: null })
    await handling
    await flood(() => attacker.send({ type: 'slow', id: 'same', data: null }), 40_000)
    const other = await hostileClient(server.url)
    expect(await other.request('echo', 'me too', 'o1')).toEqual({ re: 'o1', data: 'me too' })
    const { stats, maxAbortListeners, calls } = await server.measure()
    expect(stats.busy).toBeGreaterThanOrEqual(40_000 - 100)
    expect(maxAbortListeners).toBeLessThanOrEqual(100)
    expect(calls.slow).toBe(1)
  })

  it('answers 100,000 never-resolving requests past maxInFlight with BUSY at once', async () => {
    const server = await startServer({ rateLimit: false, maxInFlight: 100 })
    const attacker = await hostileClient(server.url)
    await flood((i) => attacker.send({ type: 'hang', id: `h${i}`, data: null }), 100_000)
    expect(await attacker.reply('h99999', 20_000)).toMatchObject({ error: { code: 'BUSY' } })
    const { stats, calls } = await server.measure()
    expect(calls.hang).toBe(100)
    expect(stats.busy).toBe(100_000 - 100)
  })

  it('answers a handler running past handlerTimeout with HANDLER_TIMEOUT and aborts its signal, freeing its slot', async () => {
    const server = await startServer({ maxInFlight: 2, handlerTimeout: 200 })
    const client = await hostileClient(server.url)
    for (const id of ['t1', 't2', 't3']) client.send({ type: 'hang', id, data: null })
    expect(await client.reply('t3')).toMatchObject({ error: { code: 'BUSY' } })
    expect(await client.reply('t1')).toMatchObject({ error: { code: 'HANDLER_TIMEOUT' } })
    expect(await client.reply('t2')).toMatchObject({ error: { code: 'HANDLER_TIMEOUT' } })
    expect(await client.request('echo', 'free again', 't4')).toEqual({ re: 't4', data: 'free again' })
    // A resend of a timed-out request gets the same answer; the handler does not run again.
    expect(await client.request('hang', null, 't1')).toMatchObject({ error: { code: 'HANDLER_TIMEOUT' } })
    const { stats, aborted, calls } = await server.measure()
    expect(stats).toMatchObject({ handlerTimeouts: 2, busy: 1 })
    expect(aborted).toBe(2)
    expect(calls.hang).toBe(2)
  })

  it('rate limits a flood of 200,000 requests (RATE_LIMITED), closes the peer with 4429, and answers another peer meanwhile', async () => {
    const server = await startServer({ rateLimit: { messages: 1000, burst: 1, closeAfter: 300 } })
    const attacker = await hostileClient(server.url)
    const other = await hostileClient(server.url)
    const flooding = flood(
      (i) => attacker.ws.readyState === 1 && attacker.send({ type: 'echo', id: `f${i}`, data: i }),
      200_000,
    )
    expect(await other.request('echo', 'fine', 'o1')).toEqual({ re: 'o1', data: 'fine' })
    await flooding
    // The flood keeps coming for longer than closeAfter: the peer is closed, not retried by a Lifeline client.
    await flood((i) => attacker.ws.readyState === 1 && attacker.send({ type: 'echo', id: `g${i}`, data: i }), 50_000)
    expect(await attacker.closed).toBe(4429)
    const limited = [...attacker.replies.values()].filter(
      (reply) => (reply.error as { code?: string })?.code === 'RATE_LIMITED',
    )
    expect(limited.length).toBeGreaterThan(0)
    const { stats, calls } = await server.measure()
    // Hundreds are refused before the cut: one a turn once over the limit, the rest never read.
    expect(stats.rateLimited).toBeGreaterThan(100)
    expect(stats.rateLimitCuts).toBe(1)
    expect(calls.echo).toBeLessThan(10_000)
    expect(await other.request('echo', 'still fine', 'o2')).toEqual({ re: 'o2', data: 'still fine' })
  })

  it('rate limits by bytes too', async () => {
    const server = await startServer({
      maxMessageBytes: 30_000,
      rateLimit: { messages: 100_000, bytes: 100_000, burst: 1, closeAfter: 60_000 },
    })
    const client = await hostileClient(server.url)
    const big = 'x'.repeat(20_000)
    for (let i = 0; i < 10; i++) client.send({ type: 'echo', id: `b${i}`, data: big })
    await client.reply('b9')
    const codes = [...client.replies.values()].map((reply) => (reply.error as { code?: string })?.code ?? 'ok')
    // 100 kB at once, then 100 kB/s: the first frame over it is refused and reading waits for the
    // bucket, so the rest are slowed to the rate rather than all refused.
    expect(codes.filter((code) => code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(1)
    expect(codes.filter((code) => code === 'ok').length).toBeGreaterThanOrEqual(5)
    expect(codes).toHaveLength(10)
  })
})
