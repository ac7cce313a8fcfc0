import { afterEach, describe, expect, it } from 'vitest'
import type { Socket } from '../src/index.js'
import { type Chat, countingWebSocket, FAST_RECONNECT, nextEvent, Resources, untilStatus } from './support/client.js'
import type { TestServer } from './support/server.js'

const resources = new Resources()
afterEach(() => resources.dispose())

type Step = (socket: Socket<Chat, Chat>, server: TestServer) => unknown

/** Everything that drops or replaces a link, mixed: user reconnects, server closes, dropped TCP. */
const STORM: Step[] = [
  (socket) => socket.reconnect(),
  (_, server) => server.closeAll(1001),
  (socket) => {
    socket.reconnect()
    socket.reconnect()
  },
  (_, server) => server.dropConnections(),
  (_, server) => server.closeAll(1012),
  (socket, server) => {
    void server.closeAll(4000)
    socket.reconnect()
  },
  (socket, server) => {
    server.dropConnections()
    socket.reconnect()
  },
]

describe('at most one live connection', () => {
  it('holds at the server and in the client through a reconnect storm', async () => {
    const server = await resources.server()
    const { WebSocket, stats } = countingWebSocket()
    const socket = resources.connect<Chat, Chat>(server.url(), { WebSocket, reconnect: FAST_RECONNECT })
    await nextEvent(socket, 'open')

    for (let round = 0; round < 60; round++) {
      const step = STORM[round % STORM.length] as Step
      // A third of the rounds wait for the link to come back, a third only until the server has
      // accepted the next connection (the client may still be connecting), and a third pile on.
      const phase = round % 3
      const settled = phase === 0 ? null : phase === 1 ? server.nextConnection() : nextEvent(socket, 'open')
      void step(socket, server)
      await settled
    }
    await untilStatus(socket, 'open')
    await server.until(() => server.open.length === 1, 'the old connections to close')
    const last = server.last
    const echo = new Promise((resolve) => socket.once('chat', resolve))
    socket.send('chat', { text: 'still here', seq: 1 })
    await echo

    // At least one new link per round that waits for `open`.
    expect(server.handshakes.length).toBeGreaterThanOrEqual(21)
    expect(server.maxOpen).toBe(1)
    expect(stats.maxLive).toBe(1)
    expect(stats.live()).toBe(1)
    expect(server.open).toEqual([last])
    expect(last.messages.filter((m) => m.type === 'chat')).toHaveLength(1)
  })
})
