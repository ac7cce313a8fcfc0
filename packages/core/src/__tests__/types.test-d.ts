import { describe, expectTypeOf, it } from 'vitest'
import type { CloseEvent, LifelineError, MessageMap, Snapshot, Socket } from '../index.js'
import { connect } from '../index.js'

interface Incoming {
  chat: { from: string; text: string }
  presence: { online: string[] }
}
interface Outgoing {
  chat: { text: string }
  typing: { active: boolean }
  ping: undefined
}

describe('types', () => {
  const socket = connect<Incoming, Outgoing>('wss://example.com/live')

  it('types message handlers by Incoming and lifecycle events by name', () => {
    socket.on('chat', (msg) => expectTypeOf(msg).toEqualTypeOf<{ from: string; text: string }>())
    socket.on('close', (close) => expectTypeOf(close).toEqualTypeOf<CloseEvent>())
    socket.on('error', (error) => expectTypeOf(error).toEqualTypeOf<LifelineError>())
    socket.on('state', (state) => expectTypeOf(state).toEqualTypeOf<Snapshot>())
    socket.on('latency', (ms) => expectTypeOf(ms).toEqualTypeOf<number>())
    expectTypeOf(socket.on('open', () => {})).toEqualTypeOf<() => void>()
  })

  it('rejects unknown types and wrong handler payloads', () => {
    // @ts-expect-error: not an incoming type
    socket.on('chatt', () => {})
    // @ts-expect-error: wrong payload type
    socket.on('chat', (msg: { nope: number }) => msg)
  })

  it('types send by Outgoing', () => {
    expectTypeOf(socket.send('chat', { text: 'hi' })).toEqualTypeOf<'sent' | 'queued' | 'dropped'>()
    socket.send('ping')
    // @ts-expect-error: wrong payload
    socket.send('chat', { text: 1 })
    // @ts-expect-error: data is required
    socket.send('typing')
    // @ts-expect-error: not an outgoing type
    socket.send('presence', { online: [] })
  })

  it('refuses a message type that collides with a reserved name', () => {
    interface Colliding {
      close: { by: string }
    }
    // @ts-expect-error: 'close' is a lifecycle event
    connect<Colliding>('wss://example.com/live')
    interface AlsoColliding {
      message: string
      fine: number
    }
    // @ts-expect-error: 'message' is a lifecycle event
    connect<AlsoColliding>('wss://example.com/live')
  })

  it('names the problem in the reserved-name error: the constraint quotes a message, not never', () => {
    // The compiler's error quotes the member of the constraint a colliding payload failed to match.
    type Quoted<Map> = Map extends infer Message & { close: never } ? Message : never
    type Constraint = MessageMap<{ close: { by: string } }>
    expectTypeOf<Quoted<Constraint>>().toEqualTypeOf<{
      close: "Error: 'close' is a reserved event name (a lifecycle event); rename this message type"
    }>()
    expectTypeOf<
      Quoted<Constraint>['close'] extends `${string}reserved${string}` ? true : false
    >().toEqualTypeOf<true>()
    expectTypeOf<Constraint['close']>().toEqualTypeOf<never>()
    expectTypeOf<MessageMap<{ fine: number }>['fine']>().toEqualTypeOf<unknown>()
  })

  it('accepts any type without maps', () => {
    const loose = connect('wss://example.com/live')
    loose.on('anything', (data) => expectTypeOf(data).toEqualTypeOf<unknown>())
    loose.send('anything', { any: 'thing' })
    loose.send('bare')
  })

  it('passes onOpen a socket that keeps In, Out and Replies', () => {
    interface Asks {
      getUser: { id: string }
    }
    interface Replies {
      getUser: { name: string }
    }
    connect<Incoming, Asks, Replies>('wss://example.com/live', {
      onOpen: async (s) => {
        expectTypeOf(s).toEqualTypeOf<Socket<Incoming, Asks, Replies>>()
        expectTypeOf(await s.request('getUser', { id: '42' })).toEqualTypeOf<{ name: string }>()
      },
    })
  })

  it('passes the typed socket to onOpen', () => {
    connect<Incoming, Outgoing>('wss://example.com/live', {
      onOpen: (s) => {
        s.send('chat', { text: 'resubscribe' })
        // @ts-expect-error: typed by Outgoing
        s.send('chat', 1)
      },
    })
  })
})
