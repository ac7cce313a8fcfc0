import { afterEach, describe, expect, it } from 'vitest'
import {
  type Chat,
  eventNames,
  FAST_RECONNECT,
  nextEvent,
  payloadsOf,
  Resources,
  recordEvents,
  sendNumbered,
} from './support/client.js'

const resources = new Resources()
afterEach(() => resources.dispose())

interface Auth extends Chat {
  auth: { token: string }
}

describe.each([
  [1008, 'policy violation'],
  [4401, 'unauthorized'],
])('a server close with %i', (code, reason) => {
  it('is final: status closed, close with willReconnect false, later sends drop with reason closed', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url(), { reconnect: FAST_RECONNECT })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')

    const closed = nextEvent(socket, 'close')
    await server.last.close(code, reason)

    expect(await closed).toEqual({ code, reason, wasClean: true, willReconnect: false })
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', nextRetryAt: null, lastClose: { code, reason } })
    expect(sendNumbered(socket, 0, 1)).toEqual(['dropped'])
    expect(payloadsOf(log, 'drop')).toEqual([{ type: 'chat', data: { text: 'message 0', seq: 0 }, reason: 'closed' }])
    // 4401 says the credentials are bad: an AUTH_REFUSED error comes first, for the app to sign in again.
    expect(eventNames(log)).toEqual(
      code === 4401 ? ['open', 'error:AUTH_REFUSED', 'close', 'drop'] : ['open', 'close', 'drop'],
    )
    expect(server.handshakes).toHaveLength(1)
  })

  it('drops the queued messages with reason closed when it refuses the onOpen handshake', async () => {
    const server = await resources.server()
    server.onMessage = (message, connection) => {
      if (message.type === 'auth') void connection.close(code, reason)
      return undefined
    }
    const socket = resources.connect<Chat, Auth>(server.url(), {
      reconnect: FAST_RECONNECT,
      // Authenticates first on every link; the queue waits until the server says yes (here it never does).
      onOpen: (s) => {
        s.send('auth', { token: 'expired' })
        return new Promise<void>((resolve) => s.once('chat', () => resolve()))
      },
    })
    const log = recordEvents(socket)
    for (let seq = 0; seq < 3; seq++) expect(socket.send('chat', { text: `queued ${seq}`, seq })).toBe('queued')

    const closed = await nextEvent(socket, 'close')

    expect(closed).toEqual({ code, reason, wasClean: true, willReconnect: false })
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', queued: 0, nextRetryAt: null })
    expect(payloadsOf(log, 'drop')).toEqual(
      [0, 1, 2].map((seq) => ({
        type: 'chat',
        data: { text: `queued ${seq}`, seq },
        reason: 'closed',
      })),
    )
    expect(payloadsOf(log, 'reconnecting')).toEqual([])
    expect(server.received).toEqual([{ type: 'auth', data: { token: 'expired' } }])
    expect(server.handshakes).toHaveLength(1)
  })
})

describe('a server close with 1013 (try again later)', () => {
  it('reconnects, but waits at least maxDelay / 2', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url(), { reconnect: FAST_RECONNECT })
    await nextEvent(socket, 'open')
    const reconnecting = nextEvent(socket, 'reconnecting')
    const reopened = nextEvent(socket, 'open')

    const closedAt = Date.now()
    await server.last.close(1013, 'overloaded')
    const { delay } = await reconnecting
    await reopened

    expect(delay).toBeGreaterThanOrEqual(FAST_RECONNECT.maxDelay / 2)
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(FAST_RECONNECT.maxDelay / 2 - 5)
    expect(server.handshakes).toHaveLength(2)
  })
})
