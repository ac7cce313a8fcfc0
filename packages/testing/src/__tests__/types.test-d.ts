import type { Socket } from '@lifeline/core'
import { connect } from '@lifeline/core'
import type { ChannelPosition } from '@lifeline/core/channels'
import { describe, expectTypeOf, it } from 'vitest'
import { createTestServer, type ReceivedMessage, type TestConnection } from '../index.js'

// The client's maps; the server's are the same seen from the other side.
interface Incoming {
  chat: { from: string; text: string }
  bye: undefined
}
interface Outgoing {
  chat: { text: string }
  getUser: { id: string }
}
interface Replies {
  getUser: { name: string }
}

describe('createTestServer<In, Out, Replies>', () => {
  const server = createTestServer<Outgoing, Incoming, Replies>()
  const socket: Socket<Incoming, Outgoing, Replies> = connect<Incoming, Outgoing, Replies>(server.url, {
    WebSocket: server.WebSocket,
  })

  it('types a message waited for by its type', async () => {
    const chat = await server.waitForMessage('chat')
    expectTypeOf(chat.type).toEqualTypeOf<'chat'>()
    expectTypeOf(chat.data).toEqualTypeOf<{ text: string }>()
    // @ts-expect-error: not a type clients send
    server.waitForMessage('presence')
  })

  it('narrows a received message by its type, and a predicate that says so', async () => {
    const any = await server.waitForMessage()
    if (any.type === 'getUser') expectTypeOf(any.data).toEqualTypeOf<{ id: string }>()
    expectTypeOf(server.messages).toEqualTypeOf<readonly ReceivedMessage<Outgoing, Incoming>[]>()
    // A predicate that narrows (TypeScript infers `m is …` from the check) narrows the result.
    const chat = await server.waitForMessage((m) => m.type === 'chat')
    expectTypeOf(chat.data).toEqualTypeOf<{ text: string }>()
    const withId = await server.waitForMessage((m) => m.id !== undefined)
    expectTypeOf(withId).toEqualTypeOf<ReceivedMessage<Outgoing, Incoming>>()
  })

  it('sends what clients receive', async () => {
    server.send('chat', { from: 'Ada', text: 'hi' })
    server.send('bye')
    // @ts-expect-error: a wrong payload
    server.send('chat', { text: 1 })
    // @ts-expect-error: not a type clients receive
    server.send('getUser', { id: '1' })
    const connection = await server.waitForConnection()
    expectTypeOf(connection).toEqualTypeOf<TestConnection<Outgoing, Incoming>>()
    connection.send('chat', { from: 'Ada', text: 'to one' })
    // @ts-expect-error: data is required
    connection.send('chat')
  })

  it('replies with the type the client expects', async () => {
    const request = await server.waitForMessage('getUser')
    server.reply(request, { name: 'Ada' })
    // @ts-expect-error: not a getUser reply
    server.reply(request, { nom: 'Ada' })
    server.handle('getUser', ({ id }) => ({ name: `user ${id}` }))
    server.handle('getUser', async ({ id }) => ({ name: id }))
    // @ts-expect-error: not a getUser reply
    server.handle('getUser', () => ({ name: 42 }))
    server.handle('chat', (data, message) => {
      expectTypeOf(data).toEqualTypeOf<{ text: string }>()
      expectTypeOf(message.type).toEqualTypeOf<'chat'>()
      return 'anything' // no reply type declared
    })
    expectTypeOf(await socket.request('getUser', { id: '1' })).toEqualTypeOf<{ name: string }>()
  })

  it('takes any type and payload without type arguments', async () => {
    const loose = createTestServer()
    loose.send('anything', { at: 'all' })
    loose.handle('getUser', (data) => expectTypeOf(data).toEqualTypeOf<unknown>())
    const message = await loose.waitForMessage('chat')
    expectTypeOf(message.data).toEqualTypeOf<unknown>()
    loose.reply(message, { whatever: true })
    loose.reply(message)
  })
})

describe('createTestServer<In, Out, Replies, Channels>', () => {
  interface ChatLine {
    from: string
    text: string
  }
  const server = createTestServer<Outgoing, Incoming, Replies, { [room: `room:${string}`]: ChatLine }>({
    history: { size: 10 },
  })

  it('types what is published into a channel by its name', () => {
    expectTypeOf(server.publish('room:42', { from: 'Ada', text: 'hi' })).toEqualTypeOf<ChannelPosition>()
    // @ts-expect-error: not a chat line
    server.publish('room:42', { text: 1 })
    // @ts-expect-error: not a channel of this map
    server.publish('user:7', { from: 'Ada', text: 'hi' })
    expectTypeOf(server.joined('room:42')).toEqualTypeOf<readonly TestConnection<Outgoing, Incoming>[]>()
  })

  it('publishes anything into any channel without a Channels map', () => {
    createTestServer().publish('anything', { at: 'all' })
  })
})
