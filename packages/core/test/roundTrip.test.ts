import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { type Chat, eventNames, FAST_RECONNECT, nextEvent, Resources, recordEvents, seqs } from './support/client.js'

const resources = new Resources()
afterEach(() => resources.dispose())

describe('a link to a real ws server', () => {
  it('opens, sends a chat and receives the echo typed by Incoming, open before any message', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url('/live'))
    const log = recordEvents(socket)
    const order: string[] = []
    socket.on('open', () => order.push('open'))
    socket.on('message', () => order.push('message'))

    await nextEvent(socket, 'open')
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', attempt: 0, queued: 0 })
    const echo = new Promise<Chat['chat']>((resolve) => socket.once('chat', resolve))
    expect(socket.send('chat', { text: 'hi', seq: 1 })).toBe('sent')

    const received = await echo
    expectTypeOf(received).toEqualTypeOf<{ text: string; seq: number }>()
    expect(received).toEqual({ text: 'hi', seq: 1 })
    expect(server.last.messages).toEqual([{ type: 'chat', data: { text: 'hi', seq: 1 } }])
    expect(server.handshakes).toEqual(['/live'])
    expect(order).toEqual(['open', 'message'])
    expect(eventNames(log)).toEqual(['open'])
  })

  it('delivers messages sent before the link opened first, in order', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url())
    expect(socket.send('chat', { text: 'early', seq: 1 })).toBe('queued')
    expect(socket.send('chat', { text: 'early', seq: 2 })).toBe('queued')
    await nextEvent(socket, 'open')
    expect(socket.send('chat', { text: 'late', seq: 3 })).toBe('sent')
    await server.until(() => server.messagesOf('chat').length === 3, 'three chats')
    expect(seqs(server.messagesOf('chat'))).toEqual([1, 2, 3])
  })

  it('close() ends with status closed, a close event that will not reconnect, and a 1000 close at the server', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url())
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')

    socket.close()

    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', nextRetryAt: null })
    expect(log.at(-1)).toEqual(['close', { code: 1000, reason: '', wasClean: true, willReconnect: false }])
    expect(await server.last.closed).toEqual({ code: 1000, reason: '' })
    expect(server.handshakes).toHaveLength(1)
  })
})

describe('frames', () => {
  it('reads a binary frame as UTF-8 JSON and sends sendRaw bytes as a binary frame', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url())
    await nextEvent(socket, 'open')
    const chat = new Promise<Chat['chat']>((resolve) => socket.once('chat', resolve))

    server.last.ws.send(Buffer.from(JSON.stringify({ type: 'chat', data: { text: 'bytes', seq: 7 } })), {
      binary: true,
    })
    expect(await chat).toEqual({ text: 'bytes', seq: 7 })
    expect(socket.sendRaw(new Uint8Array([1, 2, 255]))).toBe('sent')
    await server.until(() => server.received.length === 1, 'the binary frame')

    expect(server.received).toEqual([{ type: '(binary)', data: new Uint8Array([1, 2, 255]) }])
  })
})

describe('closing', () => {
  it('open() after close() connects again; what was sent while closed stays dropped', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url())
    await nextEvent(socket, 'open')
    socket.close()
    expect(socket.send('chat', { text: 'while closed', seq: 0 })).toBe('dropped')

    socket.open()
    await nextEvent(socket, 'open')
    socket.send('chat', { text: 'reopened', seq: 1 })
    await server.until(() => server.messagesOf('chat').length === 1, 'the chat')

    expect(server.connections).toHaveLength(2)
    expect(seqs(server.messagesOf('chat'))).toEqual([1])
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', attempt: 0 })
  })

  it('close(code, reason) reaches the server as given', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url())
    await nextEvent(socket, 'open')

    socket.close(4000, 'done')

    expect(await server.last.closed).toEqual({ code: 4000, reason: 'done' })
  })

  it('close() during the handshake leaves no connection at the server and never opens', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url())
    const log = recordEvents(socket)
    await server.until(() => server.handshakes.length === 1, 'the handshake')

    socket.close()
    await server.until(
      () => server.open.length === 0 && server.connections.every((c) => c.closedWith),
      'no open connection',
    )

    expect(socket.getSnapshot().status).toBe('closed')
    expect(eventNames(log)).not.toContain('open')
    expect(eventNames(log)).not.toContain('reconnecting')
  })

  it('dispose() while waiting to reconnect stops every retry', async () => {
    const server = await resources.server()
    let attempts = 0
    const socket = resources.connect<Chat, Chat>(
      () => {
        attempts++
        return server.url()
      },
      { reconnect: FAST_RECONNECT },
    )
    await nextEvent(socket, 'open')
    const waiting = nextEvent(socket, 'reconnecting')
    await server.stop()
    await waiting

    socket.dispose()
    const attemptsAtDispose = attempts
    await server.start()

    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', nextRetryAt: null })
    expect(() => socket.send('chat', { text: 'late', seq: 0 })).toThrow(expect.objectContaining({ code: 'DISPOSED' }))
    expect(attempts).toBe(attemptsAtDispose)
  })
})

describe('incoming limits', () => {
  it('drops a frame above maxMessageBytes with MESSAGE_TOO_LARGE and keeps the link', async () => {
    const server = await resources.server()
    const socket = resources.connect<Chat, Chat>(server.url(), { maxMessageBytes: 1000 })
    const log = recordEvents(socket)
    const chats: number[] = []
    socket.on('chat', (chat) => chats.push(chat.seq))
    await nextEvent(socket, 'open')

    const tooLarge = nextEvent(socket, 'error')
    server.last.send({ type: 'chat', data: { text: 'x'.repeat(1000), seq: 1 } })
    expect((await tooLarge).code).toBe('MESSAGE_TOO_LARGE')
    const echo = nextEvent(socket, 'message')
    socket.send('chat', { text: 'small', seq: 2 })
    await echo

    expect(chats).toEqual([2])
    expect(socket.getSnapshot().status).toBe('open')
    expect(eventNames(log)).toEqual(['open', 'error:MESSAGE_TOO_LARGE'])
  })
})
