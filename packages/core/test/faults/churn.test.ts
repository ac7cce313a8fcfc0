import { afterEach, describe, expect, it } from 'vitest'
import {
  type Chat,
  clientWebSocket,
  countingWebSocket,
  FAST_HEARTBEAT,
  FAST_RECONNECT,
  nextEvent,
  payloadsOf,
  Resources,
  recordEvents,
  seqs,
} from '../support/client.js'
import { activeTimers, type TimerTracker, trackTimers } from '../support/faults.js'

const resources = new Resources()
let tracker: TimerTracker | null = null
afterEach(async () => {
  tracker?.stop()
  tracker = null
  await resources.dispose()
})

/** TCP handles (servers and sockets, client and server side) the process holds now. */
function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP')).length
}

/**
 * Resolves once `done()` holds, checking every loop turn; rejects after `limit` ms with
 * `state()`. For process resources, which have no event to wait on (Node frees a closed
 * handle, and reports a cleared timer, a turn or two later). Uses no timer of its own, so
 * it can count timers.
 */
async function settle(done: () => boolean, state: () => string, limit = 2000): Promise<void> {
  const deadline = Date.now() + limit
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${limit} ms; ${state()}`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

describe('1,000 rapid open/close cycles against a real server', () => {
  it('leave zero timers and TCP handles behind, with at most one socket at any moment at the client and at the server', async () => {
    const CYCLES = 1000
    const server = await resources.server()
    const { WebSocket, stats } = countingWebSocket()
    const timersBefore = activeTimers()
    const handlesBefore = tcpHandles()
    tracker = trackTimers(['packages/core/src', 'node_modules/ws'])
    // Every timer the socket can own: connect timeout, heartbeat, stable link, ttl expiry, retry.
    const socket = resources.connect<Chat, Chat>(server.url(), {
      WebSocket,
      autoConnect: false,
      reconnect: FAST_RECONNECT,
      heartbeat: FAST_HEARTBEAT,
      queue: { ttl: 60_000 },
    })
    const log = recordEvents(socket)
    const flushed: number[] = []

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      // Most cycles close at once; one in 20 once the server has the handshake; one in 20 once open.
      const opened = cycle % 20 === 2 ? nextEvent(socket, 'open') : null
      const handshakes = server.handshakes.length
      socket.open()
      expect(socket.send('chat', { text: 'cycle', seq: cycle })).toBe('queued')
      if (cycle % 20 === 1) await server.until(() => server.handshakes.length > handshakes, 'the handshake')
      if (opened) {
        await opened
        flushed.push(cycle)
      }
      socket.close()
      expect(socket.getSnapshot()).toMatchObject({ status: 'closed', queued: 0, nextRetryAt: null })
    }
    await server.until(() => server.connections.every((c) => c.closedWith !== null), 'every connection to close')
    const timers = tracker
    // Node's own WebSocket (undici) has no terminate(): a socket closed once the server had the
    // handshake is released by undici itself a few seconds later (seen: 2 to 5 s on Node 22 and
    // 24, with or without Lifeline). Only `ws` and Bun let the core drop it at once.
    await settle(
      () => timers.pending().length === 0 && tcpHandles() === handlesBefore,
      () => `timers pending: ${timers.pending().join('; ') || 'none'}; TCP handles ${handlesBefore} -> ${tcpHandles()}`,
      clientWebSocket.canTerminate ? 2000 : 8000,
    )

    expect(timers.pending()).toEqual([])
    // The process-wide count too: nothing added (the test runner's own timers come and go).
    expect(activeTimers()).toBeLessThanOrEqual(timersBefore)
    expect(tcpHandles()).toBe(handlesBefore)
    expect(stats.maxLive).toBe(1)
    expect(stats.live()).toBe(0)
    expect(stats.created).toBe(CYCLES)
    expect(server.maxOpen).toBe(1)
    // Each cycle's message went out on its own link or was dropped with it: none leaked into a later link.
    expect(flushed).toHaveLength(CYCLES / 20)
    expect(seqs(server.messagesOf('chat'))).toEqual(flushed)
    const drops = payloadsOf(log, 'drop')
    expect(drops.every((d) => d.reason === 'closed')).toBe(true)
    expect(drops).toHaveLength(CYCLES - flushed.length)
    expect(payloadsOf(log, 'reconnecting')).toEqual([])
  })
})
