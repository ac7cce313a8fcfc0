// Hostile frames against a server in its own process (--unhandled-rejections=strict): whatever
// arrives, the process does not crash, the bad frames are counted, and the link keeps working.
import { describe, expect, it } from 'vitest'
import { frameHeader, hostileClient, rawUpgrade, startServer } from './support.js'

/** The first close frame among the unmasked frames a server sent, from its first byte; undefined if none. */
function closeFrameIn(bytes: Buffer): Buffer | undefined {
  for (let at = 0; at + 2 <= bytes.length; ) {
    const length = (bytes[at + 1] as number) & 0x7f
    const header = length === 126 ? 4 : length === 127 ? 10 : 2
    const size =
      length === 126 ? bytes.readUInt16BE(at + 2) : length === 127 ? Number(bytes.readBigUInt64BE(at + 2)) : length
    if ((bytes[at] as number) === 0x88) return bytes.subarray(at, at + header + size)
    at += header + size
  }
  return undefined
}

describe('hostile frames', () => {
  it('answers a handler whose result has a throwing then getter (a revoked Proxy) with an error reply; the process lives', async () => {
    const server = await startServer()
    const client = await hostileClient(server.url)
    expect(await client.request('revoked', null, 'r1')).toMatchObject({ re: 'r1', error: expect.any(Object) })
    expect(await client.request('throwingThen', null, 'r2')).toMatchObject({
      re: 'r2',
      error: { message: 'then getter' },
    })
    expect(await client.request('echo', 'still here', 'r3')).toEqual({ re: 'r3', data: 'still here' })
    await server.stop()
  })

  it('answers a handler that returns a symbol with ENCODE_FAILED, not a success without data', async () => {
    const server = await startServer()
    const client = await hostileClient(server.url)
    expect(await client.request('symbol', null, 's1')).toMatchObject({ re: 's1', error: { code: 'ENCODE_FAILED' } })
  })

  it('counts replies to ids it never asked (forged, late, repeated) and settles nothing with them', async () => {
    const server = await startServer({ rateLimit: false })
    const client = await hostileClient(server.url)
    for (let i = 0; i < 10_000; i++) client.send({ re: `forged.${i % 100}`, data: { admin: true } })
    client.send({ re: 'forged.err', error: { code: 'X', message: 'made up' } })
    expect(await client.request('echo', 'after', 'f1')).toEqual({ re: 'f1', data: 'after' })
    const { stats } = await server.measure()
    expect(stats).toMatchObject({ unknownReplies: 10_001, badFrames: 0, requests: 1 })
  })

  it('refuses JSON nested 500,000 levels deep unparsed, and counts it', async () => {
    const server = await startServer({ maxMessageBytes: 2_000_000 })
    const client = await hostileClient(server.url)
    client.send(`{"type":"echo","id":"deep","data":${'['.repeat(500_000)}${']'.repeat(500_000)}}`)
    client.send(`{"type":"echo","id":"deep2","data":${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`)
    expect(await client.request('echo', 1, 'after')).toEqual({ re: 'after', data: 1 })
    const { stats } = await server.measure()
    expect(stats).toMatchObject({ tooDeep: 2, requests: 1 })
    expect(client.replies.has('deep')).toBe(false)
  })

  it('counts malformed JSON and non-envelopes, and keeps the link', async () => {
    const server = await startServer()
    const client = await hostileClient(server.url)
    for (const frame of ['{', 'nul', '"text"', '[]', '{"type":5}', '{"id":"x"}', '{"type":"echo","id":{}}', '\u0000']) {
      client.send(frame)
    }
    expect(await client.request('echo', 'ok', 'm1')).toEqual({ re: 'm1', data: 'ok' })
    const { stats } = await server.measure()
    expect((stats.invalidJson ?? 0) + (stats.invalidEnvelope ?? 0)).toBe(8)
  })

  it('takes __proto__ keys in every field as plain data: nothing polluted, nothing thrown', async () => {
    const server = await startServer()
    const client = await hostileClient(server.url)
    const proto = '{"__proto__":{"polluted":true}}'
    client.send(`{"type":"chat","data":${proto},"__proto__":{"type":"x"}}`)
    client.send(`{"__proto__":{"re":"x"},"type":"echo","id":"p1","data":${proto}}`)
    client.send(`{"re":{"__proto__":1},"data":${proto}}`)
    client.send(`{"type":"$join","id":"p2","data":{"__proto__":{"channel":"room"},"channel":${proto}}}`)
    client.send(`{"type":"$join","id":"p3","data":{"channel":"room","since":${proto}}}`)
    client.send(`{"type":"$publish","id":"p4","data":{"channel":"room","data":${proto}}}`)
    const echoed = await client.reply('p1')
    expect(echoed).toEqual({ re: 'p1', data: JSON.parse(proto) })
    expect(await client.reply('p2')).toMatchObject({ error: { code: 'JOIN_REFUSED' } })
    expect(await client.reply('p3')).toMatchObject({ error: { code: 'JOIN_REFUSED' } })
    expect(await client.reply('p4')).toMatchObject({ data: { offset: 1 } })
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect((await server.measure()).stats).toMatchObject({ publications: 1 })
    await server.stop()
  })

  it('refuses ids and channel names past their limits', async () => {
    const server = await startServer()
    const client = await hostileClient(server.url)
    client.send({ type: 'echo', id: 'i'.repeat(257), data: 1 })
    const join = await client.request('$join', { channel: 'c'.repeat(257) }, 'j1')
    expect(join).toMatchObject({ error: { code: 'JOIN_REFUSED' } })
    const publish = await client.request('$publish', { channel: 'c'.repeat(257), data: 1 }, 'j2')
    expect(publish).toMatchObject({ error: { code: 'PUBLISH_REFUSED' } })
    expect((await server.measure()).stats).toMatchObject({ invalidEnvelope: 1, requests: 1 })
  })

  it('closes with 1009 at the header of a frame over maxMessageBytes, before its payload is buffered', async () => {
    const server = await startServer()
    const { socket, response } = await rawUpgrade(server.port)
    expect(response).toMatch(/^HTTP\/1.1 101/)
    const closed = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = []
      socket.on('data', (chunk) => chunks.push(chunk))
      socket.once('close', () => resolve(Buffer.concat(chunks)))
    })
    // 100 MiB announced, 64 KiB sent: the server must not wait for the rest.
    socket.write(frameHeader(100 * 1024 * 1024))
    socket.write(Buffer.alloc(65_536, 0x20))
    // The server's frames before it (its `$accept`) are skipped: the close frame is what counts.
    const frame = closeFrameIn(await closed)
    expect(frame?.readUInt16BE(2)).toBe(1009)
    expect((await server.measure()).stats).toMatchObject({ oversize: 1 })
  })
})
