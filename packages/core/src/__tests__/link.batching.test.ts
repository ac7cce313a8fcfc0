import type { AddressInfo } from 'node:net'
import { CorkableFakeWebSocket, FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { connect } from '../connect.js'
import { openLink, setup } from './helpers.js'

describe('write batching where the WebSocket is Node ws', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
  })
  afterEach(() => vi.useRealTimers())

  it('lets the frames of one turn go together, 16 at most, and uncorks by the end of the turn', async () => {
    const { socket } = setup({ heartbeat: false, WebSocket: CorkableFakeWebSocket })
    const ws = (await openLink()) as CorkableFakeWebSocket

    for (let n = 0; n < 40; n++) socket.send('n', n)
    // Two full batches have gone; the rest wait for the end of the turn.
    expect(ws.batches.map((batch) => batch.length)).toEqual([16, 16])
    await Promise.resolve()
    await new Promise((resolve) => process.nextTick(resolve))

    expect(ws.batches.map((batch) => batch.length)).toEqual([16, 16, 8])
    expect(ws.corked).toBe(false)
    expect(ws.messages.map((m) => (m as { data: number }).data)).toEqual([...Array(40).keys()])
  })

  it('sends written by promise jobs after the first still join its batch', async () => {
    const { socket } = setup({ heartbeat: false, WebSocket: CorkableFakeWebSocket })
    const ws = (await openLink()) as CorkableFakeWebSocket

    socket.send('n', 1)
    await Promise.resolve()
    socket.send('n', 2)
    await new Promise((resolve) => process.nextTick(resolve))

    expect(ws.batches).toEqual([[JSON.stringify({ type: 'n', data: 1 }), JSON.stringify({ type: 'n', data: 2 })]])
  })

  it('lets the batch go before the link is closed, so the frames go ahead of the close', async () => {
    const { socket } = setup({ heartbeat: false, WebSocket: CorkableFakeWebSocket })
    const ws = (await openLink()) as CorkableFakeWebSocket

    socket.send('n', 1)
    socket.send('n', 2)
    socket.close()

    expect(ws.calls).toEqual(['cork', 'send', 'send', 'uncork', 'close'])
    expect(ws.batches).toHaveLength(1)
    await new Promise((resolve) => process.nextTick(resolve))
    expect(ws.corked).toBe(false)
  })

  it('writes straight through where the WebSocket has no corkable socket (browsers, runtimes)', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    socket.send('n', 1)
    expect(ws.sent).toHaveLength(1)
  })
})

describe('write batching on a real ws link', () => {
  const servers: WebSocketServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      for (const client of server.clients) client.terminate()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('a burst of 100 sends in one turn leaves in at most 7 TCP writes and arrives whole and in order', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    servers.push(server)
    await new Promise((resolve) => server.once('listening', resolve))
    const received: number[] = []
    const all = new Promise<void>((resolve) => {
      server.on('connection', (peer) =>
        peer.on('message', (raw) => {
          received.push(JSON.parse(String(raw)).data)
          if (received.length === 100) resolve()
        }),
      )
    })
    const { port } = server.address() as AddressInfo
    const created: WebSocket[] = []
    class Recorded extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols)
        created.push(this)
      }
    }
    const socket = connect(`ws://127.0.0.1:${port}/`, { WebSocket: Recorded, heartbeat: false, browserEvents: false })
    await new Promise((resolve) => socket.once('open', resolve))

    // Every system call of the TCP socket goes through _write (one chunk) or _writev (several).
    const tcp = (created[0] as unknown as { _socket: Record<string, unknown> })._socket
    let writes = 0
    for (const method of ['_write', '_writev'] as const) {
      const original = tcp[method] as (...args: unknown[]) => unknown
      tcp[method] = function (this: unknown, ...args: unknown[]) {
        writes++
        return original.apply(this, args)
      }
    }
    for (let n = 0; n < 100; n++) socket.send('n', n)
    await all

    expect(received).toEqual([...Array(100).keys()])
    expect(writes).toBeGreaterThan(0)
    expect(writes).toBeLessThanOrEqual(7)
    socket.dispose()
  })
})
