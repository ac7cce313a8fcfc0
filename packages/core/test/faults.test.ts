import { afterEach, describe, expect, it } from 'vitest'
import {
  type Chat,
  eventNames,
  FAST_RECONNECT,
  nextEvent,
  payloadsOf,
  Resources,
  range,
  recordEvents,
  sendNumbered,
  seqs,
} from './support/client.js'

const resources = new Resources()
afterEach(() => resources.dispose())

async function serverBehindProxy() {
  const server = await resources.server()
  const proxy = await resources.proxy({ target: { port: server.port } })
  return { server, proxy }
}

describe('link faults through a proxy', () => {
  it('a reset link (RST) closes with 1006, reconnects, and delivers what was queued meanwhile', async () => {
    const { server, proxy } = await serverBehindProxy()
    const socket = resources.connect<Chat, Chat>(proxy.url(), { reconnect: FAST_RECONNECT })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')

    const dropped = nextEvent(socket, 'close')
    const reopened = nextEvent(socket, 'open')
    proxy.cut()
    expect(await dropped).toEqual({ code: 1006, reason: '', wasClean: false, willReconnect: true })
    expect(sendNumbered(socket, 0, 50).every((r) => r === 'queued')).toBe(true)
    await reopened
    await server.until(() => server.messagesOf('chat').length >= 50, '50 chats')

    expect(seqs(server.messagesOf('chat'))).toEqual(range(0, 50))
    expect(eventNames(log)).toEqual(['open', 'close', 'reconnecting', 'open'])
    expect(await server.connections[0]!.closed).toMatchObject({ code: 1006 })
  })

  it('a refused connection is a failed attempt (CONNECT_FAILED), retried until the route is back', async () => {
    const { server, proxy } = await serverBehindProxy()
    proxy.refuse()
    const socket = resources.connect<Chat, Chat>(proxy.url(), { reconnect: FAST_RECONNECT })
    const log = recordEvents(socket)
    socket.send('chat', { text: 'queued', seq: 0 })

    const failed = await nextEvent(socket, 'error')
    expect(failed.code).toBe('CONNECT_FAILED')
    await nextEvent(socket, 'reconnecting')
    const opened = nextEvent(socket, 'open')
    proxy.forward()
    await opened
    await server.until(() => server.messagesOf('chat').length === 1, 'the queued chat')

    expect(server.handshakes).toHaveLength(1)
    expect(payloadsOf(log, 'close')).toEqual([])
    expect(new Set(eventNames(log).slice(0, -1))).toEqual(new Set(['error:CONNECT_FAILED', 'reconnecting']))
  })

  it('a handshake that never gets an answer is abandoned after connectTimeout (CONNECT_TIMEOUT)', async () => {
    const { server, proxy } = await serverBehindProxy()
    proxy.dropHandshakes()
    const startedAt = Date.now()
    const socket = resources.connect<Chat, Chat>(proxy.url(), { reconnect: FAST_RECONNECT, connectTimeout: 150 })
    const log = recordEvents(socket)

    const timedOut = await nextEvent(socket, 'error')
    expect(timedOut.code).toBe('CONNECT_TIMEOUT')
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(145)
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', attempt: 1 })
    const opened = nextEvent(socket, 'open')
    proxy.forward()
    await opened

    expect(server.handshakes).toHaveLength(1)
    expect(eventNames(log).slice(0, 2)).toEqual(['error:CONNECT_TIMEOUT', 'reconnecting'])
    expect(eventNames(log).at(-1)).toBe('open')
  })

  it('a slow link delays messages but keeps their order', async () => {
    const { server, proxy } = await serverBehindProxy()
    const socket = resources.connect<Chat, Chat>(proxy.url(), { reconnect: FAST_RECONNECT })
    await nextEvent(socket, 'open')
    const echoes: number[] = []
    socket.on('chat', (chat) => echoes.push(chat.seq))

    proxy.delay(40)
    const sentAt = Date.now()
    sendNumbered(socket, 0, 100)
    await server.until(() => server.messagesOf('chat').length === 100, '100 chats')
    const arrivedAfter = Date.now() - sentAt
    proxy.delay(0)
    sendNumbered(socket, 100, 100)
    await server.until(() => server.messagesOf('chat').length === 200, '200 chats')

    expect(arrivedAfter).toBeGreaterThanOrEqual(35)
    expect(seqs(server.messagesOf('chat'))).toEqual(range(0, 200))
    await new Promise<void>((resolve) => {
      if (echoes.length === 200) resolve()
      else socket.on('chat', () => echoes.length === 200 && resolve())
    })
    expect(echoes).toEqual(range(0, 200))
  })
})
