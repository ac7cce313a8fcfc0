// The dedupe window under attack: one client's ids never push out another's, a running request is
// never forgotten, and the replies kept are bounded in bytes.
import { describe, expect, it } from 'vitest'
import { hostileClient, startServer } from './support.js'

describe('the dedupe window under attack', () => {
  it("keeps a running request through another client's 10,001 cheap ids: the resend waits, the handler runs once", async () => {
    const server = await startServer({ rateLimit: false })
    const victim = await hostileClient(server.url)
    const handling = server.next('handling')
    victim.send({ type: 'slow', id: 'victimprefix.1', data: null })
    const { id } = await handling
    const attacker = await hostileClient(server.url)
    for (let i = 0; i < 10_001; i++) attacker.send({ type: 'echo', id: `attackerprefix.${i}`, data: i })
    await attacker.reply('attackerprefix.10000', 20_000)
    // The victim's link drops; it comes back on a new connection and resends the same id.
    victim.ws.terminate()
    const back = await hostileClient(server.url)
    back.send({ type: 'slow', id: 'victimprefix.1', data: null })
    server.command({ cmd: 'release', id, value: 'once' })
    expect(await back.reply('victimprefix.1')).toEqual({ re: 'victimprefix.1', data: 'once' })
    const { calls, stats } = await server.measure()
    expect(calls.slow).toBe(1)
    expect(stats.duplicates).toBe(1)
  })

  it('bounds the replies kept by dedupe.maxBytes', async () => {
    const server = await startServer({ dedupe: { maxBytes: 200_000 }, rateLimit: false })
    const client = await hostileClient(server.url)
    const big = 'x'.repeat(10_000)
    for (let i = 0; i < 100; i++) client.send({ type: 'echo', id: `c.${i}`, data: big })
    await client.reply('c.99')
    // The first replies were pushed out: their resends run again; the last are still kept.
    client.replies.clear()
    expect(await client.request('echo', 'again', 'c.0')).toEqual({ re: 'c.0', data: 'again' })
    expect(await client.request('echo', 'again', 'c.99')).toEqual({ re: 'c.99', data: big })
    const { calls, stats } = await server.measure()
    expect(calls.echo).toBe(101)
    expect(stats.duplicates).toBe(1)
  })
})
