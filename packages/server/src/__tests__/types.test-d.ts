import { describe, expectTypeOf, it } from 'vitest'
import type { WebSocketServer } from 'ws'
import { attach, type Hub, type Peer, type Position } from '../index.js'

/** What the client sends (its `Outgoing`). */
interface ClientSends {
  chat: { text: string }
  getUser: { id: string }
  typing: undefined
}
/** What the server sends (the client's `Incoming`). */
interface ServerSends {
  chat: { from: string; text: string }
  confirm: { text: string }
  tick: undefined
}
interface Replies {
  getUser: { name: string }
}
interface ClientReplies {
  confirm: boolean
}

declare const wss: WebSocketServer
declare const peer: Peer<ClientSends, ServerSends, Replies, ClientReplies>

describe('attach<In, Out, Replies, ClientReplies>', () => {
  it('takes a ws WebSocketServer as it is and types the hub by the four maps', () => {
    const hub = attach<ClientSends, ServerSends, Replies, ClientReplies>(wss)
    expectTypeOf(hub).toEqualTypeOf<Hub<ClientSends, ServerSends, Replies, ClientReplies>>()
    hub.on('connection', (connected, request) => {
      expectTypeOf(connected).toEqualTypeOf<Peer<ClientSends, ServerSends, Replies, ClientReplies>>()
      expectTypeOf(request.headers).toHaveProperty('origin')
    })
    hub.on('error', (error) => expectTypeOf(error.code).toBeString())
  })

  it('types peer.on by what clients send, with message and close beside', () => {
    peer.on('chat', (data) => expectTypeOf(data).toEqualTypeOf<{ text: string }>())
    peer.on('message', (message) => expectTypeOf(message.type).toBeString())
    peer.on('close', ({ code }) => expectTypeOf(code).toBeNumber())
    // @ts-expect-error: the server does not receive confirm
    peer.on('confirm', () => {})
  })

  it('makes a handler return the declared reply type, or anything where none is declared', () => {
    peer.handle('getUser', async ({ id }) => ({ name: id }))
    peer.handle('getUser', ({ id }, request) => {
      expectTypeOf(request.type).toEqualTypeOf<'getUser'>()
      return { name: `${id} ${request.id}` }
    })
    // @ts-expect-error: getUser replies { name: string }
    peer.handle('getUser', () => ({ title: 'x' }))
    peer.handle('chat', ({ text }) => text.length)
  })

  it('types send, request and broadcast by what the server sends', () => {
    expectTypeOf(peer.send('chat', { from: 'a', text: 'b' })).toEqualTypeOf<boolean>()
    peer.send('tick')
    // @ts-expect-error: chat needs from
    peer.send('chat', { text: 'b' })
    expectTypeOf(peer.request('confirm', { text: 'ok?' })).toEqualTypeOf<Promise<boolean>>()
    expectTypeOf(peer.request('tick', undefined, { timeout: 100 })).toEqualTypeOf<Promise<unknown>>()
    const hub = attach<ClientSends, ServerSends>(wss)
    hub.broadcast('chat', { from: 'a', text: 'b' }, { except: peer })
    hub.broadcast('tick')
    // @ts-expect-error: getUser is not something the server sends
    hub.broadcast('getUser', { id: '1' })
  })

  it('types peer.data by the fifth type parameter, an id string beside it', () => {
    attach<ClientSends, ServerSends, Replies, ClientReplies, { user: string }>(wss).on('connection', (connected) => {
      expectTypeOf(connected.data).toEqualTypeOf<{ user: string }>()
      expectTypeOf(connected.id).toEqualTypeOf<string>()
    })
    expectTypeOf(peer.data).toEqualTypeOf<Record<string, unknown>>()
  })

  it('refuses a message type named like a peer event', () => {
    // @ts-expect-error: close is reserved
    attach<{ close: { why: string } }>(wss)
  })
})

describe('channels', () => {
  it('types authorize and the join and leave events by the peer data attach declares', () => {
    const hub = attach<{}, {}, {}, {}, { user: string }>(wss, {
      authorize: (peer, channel, action) => {
        expectTypeOf(peer.data).toEqualTypeOf<{ user: string }>()
        expectTypeOf(action).toEqualTypeOf<'join' | 'publish'>()
        return channel === `user:${peer.data.user}`
      },
    })
    hub.on('join', (peer, channel) => {
      expectTypeOf(peer.data.user).toBeString()
      expectTypeOf(channel).toBeString()
    })
    expectTypeOf(hub.publish('room:1', { text: 'hi' })).toEqualTypeOf<Promise<Position>>()
  })
})
