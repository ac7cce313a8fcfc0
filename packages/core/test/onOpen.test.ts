import { afterEach, describe, expect, it } from 'vitest'
import {
  type Chat,
  eventNames,
  FAST_RECONNECT,
  nextEvent,
  Resources,
  range,
  recordEvents,
  sendNumbered,
  seqs,
} from './support/client.js'

const resources = new Resources()
afterEach(() => resources.dispose())

interface Session extends Chat {
  auth: { token: string }
  authOk: undefined
}

describe('onOpen', () => {
  it('runs on every reconnect, and its sends reach the server before the queue', async () => {
    const server = await resources.server()
    let runs = 0
    const socket = resources.connect<Session, Session>(server.url(), {
      reconnect: FAST_RECONNECT,
      onOpen: (s) => {
        s.send('auth', { token: `t${++runs}` })
      },
    })
    await nextEvent(socket, 'open')
    await server.until(() => server.received.length === 1, 'the first auth')
    const dropped = nextEvent(socket, 'close')
    await server.crash()
    await dropped
    sendNumbered(socket, 0, 20)

    const reopened = nextEvent(socket, 'open')
    await server.start()
    await reopened
    await server.until(() => server.last.messages.length >= 21, 'auth and 20 chats')

    expect(runs).toBe(2)
    expect(server.connections[0]!.messages).toEqual([{ type: 'auth', data: { token: 't1' } }])
    expect(server.last.messages[0]).toEqual({ type: 'auth', data: { token: 't2' } })
    expect(seqs(server.last.messages.slice(1))).toEqual(range(0, 20))
  })

  it('an async onOpen holds the queue until it settles; sends made elsewhere meanwhile wait their turn', async () => {
    const server = await resources.server()
    server.onMessage = (message, connection) => {
      if (message.type !== 'auth') return undefined
      // Answer the auth only after the client had a chance to send something else.
      setImmediate(() => connection.send({ type: 'authOk' }))
      return true
    }
    const socket = resources.connect<Session, Session>(server.url(), {
      reconnect: FAST_RECONNECT,
      onOpen: (s) => {
        s.send('auth', { token: 't' })
        return new Promise<void>((resolve) => s.once('authOk', () => resolve()))
      },
    })
    sendNumbered(socket, 0, 5)
    // Another part of the app sends as soon as the server has accepted the link, while onOpen still waits.
    await server.until(() => server.received.length >= 1, 'the auth message')
    expect(socket.getSnapshot().status).toBe('connecting')
    sendNumbered(socket, 5, 1)
    await nextEvent(socket, 'open')
    await server.until(() => server.messagesOf('chat').length >= 6, 'six chats')

    expect(server.received[0]).toEqual({ type: 'auth', data: { token: 't' } })
    // DESIGN.md: queued messages are "flushed in order on open, before any newer send".
    expect(seqs(server.messagesOf('chat'))).toEqual(range(0, 6))
  })

  it('a rejecting onOpen reports HANDLER_FAILED, drops the link, retries, and sends nothing from the queue on it', async () => {
    const server = await resources.server()
    let runs = 0
    const socket = resources.connect<Session, Session>(server.url(), {
      reconnect: FAST_RECONNECT,
      onOpen: async (s) => {
        s.send('auth', { token: `t${++runs}` })
        if (runs === 1) throw new Error('auth refused')
      },
    })
    const log = recordEvents(socket)
    sendNumbered(socket, 0, 3)

    await nextEvent(socket, 'open')
    await server.until(() => server.last.messages.length >= 4, 'auth and three chats')

    expect(eventNames(log)).toEqual(['error:HANDLER_FAILED', 'reconnecting', 'open'])
    expect(server.connections).toHaveLength(2)
    expect(server.connections[0]!.messages).toEqual([{ type: 'auth', data: { token: 't1' } }])
    expect(server.last.messages).toEqual([
      { type: 'auth', data: { token: 't2' } },
      ...range(0, 3).map((seq) => ({ type: 'chat', data: { text: `message ${seq}`, seq } })),
    ])
  })
})
