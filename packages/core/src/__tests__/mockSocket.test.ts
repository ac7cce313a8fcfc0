import { WebSocket as MockWebSocket, Server } from 'mock-socket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connect } from '../connect.js'

// mock-socket is what many apps test with; Lifeline must work with it unchanged.
describe('with mock-socket', () => {
  let server: Server
  beforeEach(() => {
    vi.useFakeTimers()
    server = new Server('ws://localhost:1234/live')
  })
  afterEach(() => {
    server.stop()
    vi.useRealTimers()
  })

  it('round-trips a message and reconnects after the server closes the link', async () => {
    const received: unknown[] = []
    server.on('connection', (client) => {
      client.on('message', (frame) => {
        const message = JSON.parse(String(frame))
        client.send(JSON.stringify({ type: 'echo', data: message.data }))
      })
    })
    const socket = connect<{ echo: string }, { say: string }>('ws://localhost:1234/live', {
      WebSocket: MockWebSocket as never,
      browserEvents: false,
      reconnect: { initialDelay: 50, jitter: 'none' },
    })
    socket.on('echo', (text) => received.push(text))
    await vi.advanceTimersByTimeAsync(10) // mock-socket delivers each hop after 4 ms
    expect(socket.getSnapshot().status).toBe('open')
    socket.send('say', 'hello')
    await vi.advanceTimersByTimeAsync(10)
    expect(received).toEqual(['hello'])
    for (const client of server.clients()) client.close({ code: 1012, reason: 'restart', wasClean: true })
    await vi.advanceTimersByTimeAsync(10)
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', lastClose: { code: 1012 } })
    await vi.advanceTimersByTimeAsync(100)
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })
})
