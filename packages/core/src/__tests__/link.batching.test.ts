import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { connect } from '../connect.js'
import { FakeWebSocket } from './fakeWebSocket.js'
import { openLink, setup } from './helpers.js'

/** What Node's `ws` keeps in `_socket`: a TCP socket whose writes wait while it is corked. */
function corkable(ws: FakeWebSocket) {
  const log: string[] = []
  let depth = 0
  let held: unknown[] = []
  const flushes: unknown[][] = []
  const tcp = {
    cork() {
      depth++
      log.push('cork')
    },
    uncork() {
      depth--
      log.push('uncork')
      if (depth === 0 && held.length) {
        flushes.push(held)
        held = []
      }
    },
  }
  const send = ws.send.bind(ws)
  ws.send = (frame) => {
    send(frame)
    if (depth) held.push(frame)
    else flushes.push([frame])
    log.push('send')
  }
  const close = ws.close.bind(ws)
  ws.close = (code, reason) => {
    log.push('close')
    close(code, reason)
  }
  Object.assign(ws, { _socket: tcp })
  return { log, flushes, depth: () => depth }
}

describe('write batching where the WebSocket is Node ws', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
  })
  afterEach(() => vi.useRealTimers())

  it('lets the frames of one turn go together, 16 at most, and uncorks by the end of the turn', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const tcp = corkable(ws)

    for (let n = 0; n < 40; n++) socket.send('n', n)
    // Two full batches have gone; the rest wait for the end of the turn.
    expect(tcp.flushes.map((batch) => batch.length)).toEqual([16, 16])
    await Promise.resolve()
    await new Promise((resolve) => process.nextTick(resolve))

    expect(tcp.flushes.map((batch) => batch.length)).toEqual([16, 16, 8])
    expect(tcp.depth()).toBe(0)
    expect(ws.messages.map((m) => (m as { data: number }).data)).toEqual([...Array(40).keys()])
  })

  it('sends written by promise jobs after the first still join its batch', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const tcp = corkable(ws)

    socket.send('n', 1)
    await Promise.resolve()
    socket.send('n', 2)
    await new Promise((resolve) => process.nextTick(resolve))

    expect(tcp.flushes).toEqual([[JSON.stringify({ type: 'n', data: 1 }), JSON.stringify({ type: 'n', data: 2 })]])
  })

  it('lets the batch go before the link is closed, so the frames go ahead of the close', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const tcp = corkable(ws)

    socket.send('n', 1)
    socket.send('n', 2)
    socket.close()

    expect(tcp.log).toEqual(['cork', 'send', 'send', 'uncork', 'close'])
    expect(tcp.flushes).toHaveLength(1)
    await new Promise((resolve) => process.nextTick(resolve))
    expect(tcp.depth()).toBe(0)
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
