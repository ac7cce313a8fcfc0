// The connection path: frames wait for an async onConnection, a foreign Origin is refused at the
// upgrade, and close() drains: in-flight answered, peers closed with 1012 spread over `drain`.
import { describe, expect, it } from 'vitest'
import { hostileClient, rawUpgrade, startServer } from './support.js'

describe('the connection path', () => {
  it("reads none of a peer's frames before an async onConnection has run: the first burst is answered, not NO_HANDLER", async () => {
    const server = await startServer({ connectionDelay: 100 })
    const client = await hostileClient(server.url)
    for (let i = 0; i < 20; i++) client.send({ type: 'whoami', id: `w.${i}` })
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => client.reply(`w.${i}`)))
    expect(replies.every((reply) => (reply.data as { userId?: string })?.userId === 'checked')).toBe(true)
  })

  it('refuses an upgrade from a foreign Origin with 403, and takes one from the same host or without Origin', async () => {
    const server = await startServer()
    const foreign = await rawUpgrade(server.port, { Origin: 'https://evil.example', Cookie: 'session=1' })
    expect(foreign.response).toMatch(/^HTTP\/1.1 403/)
    const same = await rawUpgrade(server.port, { Origin: 'http://127.0.0.1:5173' })
    expect(same.response).toMatch(/^HTTP\/1.1 101/)
    const none = await rawUpgrade(server.port)
    expect(none.response).toMatch(/^HTTP\/1.1 101/)
    expect((await server.measure()).stats).toMatchObject({ originRefused: 1, connections: 2 })
  })

  it('takes the origins listed, and only those', async () => {
    const server = await startServer({ origins: ['https://app.example'] })
    expect((await rawUpgrade(server.port, { Origin: 'https://app.example' })).response).toMatch(/^HTTP\/1.1 101/)
    expect((await rawUpgrade(server.port, { Origin: 'http://127.0.0.1' })).response).toMatch(/^HTTP\/1.1 403/)
  })

  it('close({ drain }) answers the requests in flight first, then closes peers with 1012 spread over drain', async () => {
    const server = await startServer({ heartbeat: false })
    const clients = await Promise.all(Array.from({ length: 20 }, () => hostileClient(server.url)))
    const handling = server.next('handling')
    clients[0]?.send({ type: 'delayed', id: 'inflight.1', data: 200 })
    await handling
    const started = performance.now()
    const closes = clients.map((client) => client.closed.then((code) => ({ code, at: performance.now() - started })))
    server.command({ cmd: 'close', drain: 500, timeout: 5000 })
    const late = await hostileClient(server.url)
    expect(await late.closed).toBe(1012) // a connection that comes while the hub drains is turned away
    expect(await clients[0]?.reply('inflight.1')).toEqual({ re: 'inflight.1', data: 'done inflight.1' })
    const closed = await Promise.all(closes)
    expect(closed.map(({ code }) => code)).toEqual(Array(20).fill(1012))
    const times = closed.map(({ at }) => at).sort((a, b) => a - b)
    // Spread out: the last batch left well after the first, not all in one turn.
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThan(200)
    if (!server.reports.some((report) => report.event === 'closed')) await server.next('closed')
  })
})
