// Peers that stop reading: a slow consumer is cut at the high-water mark with the server's memory
// bounded, and a peer that writes but never answers a ping is cut by the heartbeat.
import { describe, expect, it } from 'vitest'
import { hostileClient, startServer } from './support.js'

const MiB = 1_048_576

describe('peers that stop reading', () => {
  it('closes a peer that stops reading with 4008 while 100 MB are broadcast; memory stays under the mark plus one message', async () => {
    const server = await startServer({ highWaterMark: 4 * MiB, heartbeat: false })
    const reader = await hostileClient(server.url)
    const stalled = await hostileClient(server.url)
    const socket = (stalled.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause() // reads nothing more: the server's writes pile up
    server.command({ cmd: 'broadcast', count: 1600, bytes: 64 * 1024 })
    const { peakGrowth } = await server.next('broadcasted', undefined, 60_000)
    expect(peakGrowth).toBeLessThan(4 * MiB + 64 * 1024 + 8 * MiB)
    // Reading again, it finds its connection cut (the server gives a close handshake 1 s at most).
    socket.resume()
    await stalled.closed
    const { stats } = await server.measure()
    expect(stats.slowConsumers).toBe(1)
    expect(stats.peers).toBe(1)
    await reader.until(() => (reader.messages.get('chat') === 1600 ? true : undefined), 'every broadcast', 30_000)
  })

  it('cuts a peer that writes a frame every 100 ms but never answers a ping, after one interval', async () => {
    const server = await startServer({ heartbeat: { interval: 500 } })
    const zombie = await hostileClient(server.url, { autoPong: false })
    const alive = await hostileClient(server.url)
    let writes = 0
    const writer = setInterval(() => {
      if (zombie.ws.readyState === 1 && writes < 50) {
        writes++
        zombie.send({ type: 'chat', data: { text: 'still here' } })
      }
    }, 100)
    const code = await zombie.closed.finally(() => clearInterval(writer))
    expect(code).toBe(1006)
    expect(writes).toBeLessThan(50)
    expect(alive.ws.readyState).toBe(1)
    expect((await server.measure()).stats).toMatchObject({ deadPeers: 1 })
  })
})
