import { afterEach, describe, expect, it } from 'vitest'
import { rawCodec, type WebSocketConstructor } from '../src/index.js'
import { clientWebSocket, nextEvent, Resources } from './support/client.js'

const resources = new Resources()
afterEach(() => resources.dispose())

/** The runtime's WebSocket with the largest `bufferedAmount` any instance reached after a send. */
function measuringWebSocket() {
  const seen = { maxBuffered: 0 }
  const Base = clientWebSocket.WebSocket as unknown as new (url: string, protocols?: string | string[]) => WebSocket
  class Measuring extends Base {
    override send(data: string | ArrayBufferLike | ArrayBufferView | Blob): void {
      super.send(data as never)
      seen.maxBuffered = Math.max(seen.maxBuffered, this.bufferedAmount)
    }
  }
  return { WebSocket: Measuring as unknown as WebSocketConstructor, seen }
}

describe('send backpressure', () => {
  it('keeps memory bounded when a 50 MB burst meets a slow link, reporting what it cannot keep', async () => {
    const server = await resources.server()
    const proxy = await resources.proxy({ target: { port: server.port }, maxDelayedBytes: 64 * 1024 })
    const { WebSocket, seen } = measuringWebSocket()
    const highWaterMark = 256 * 1024
    const maxBytes = 1024 * 1024
    const socket = resources.connect(proxy.url('/live'), {
      WebSocket,
      codec: rawCodec,
      highWaterMark,
      queue: { maxBytes, maxMessages: Number.POSITIVE_INFINITY },
    })
    await nextEvent(socket, 'open')
    proxy.delay(20)

    const chunk = 64 * 1024
    const total = 800 // 50 MiB
    let dropped = 0
    let maxQueuedBytes = 0
    socket.on('drop', ({ reason }) => {
      expect(reason).toBe('overflow')
      dropped++
    })
    for (let i = 0; i < total; i++) {
      const result = socket.sendRaw(`${i}:`.padEnd(chunk, 'x'))
      expect(result).not.toBe('dropped') // drop-oldest: the newest always fits
      maxQueuedBytes = Math.max(maxQueuedBytes, socket.getSnapshot().queued * chunk)
    }
    // One message past the mark reaches the link before sends are held; the queue keeps its limit.
    expect(seen.maxBuffered).toBeLessThanOrEqual(highWaterMark + chunk + 64)
    expect(maxQueuedBytes).toBeLessThanOrEqual(maxBytes)
    expect(dropped).toBeGreaterThan(total / 2)

    // Everything not dropped arrives, in order, as the link drains.
    proxy.delay(0)
    await server.until(() => server.messagesOf('(text)').length === total - dropped, 'the kept messages')
    const order = server.messagesOf('(text)').map((m) => Number(String(m.data).split(':')[0]))
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(order.at(-1)).toBe(total - 1)
    expect(socket.getSnapshot().queued).toBe(0)
  })
})
