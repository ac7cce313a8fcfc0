import { connect, type Snapshot, type Socket } from '@lifeline/core'
import { createElement } from 'react'
import { describe, expectTypeOf, it } from 'vitest'
import { SocketProvider, useLastMessage, useMessages, useSocket, useSocketEvent, useSocketState } from '../index.js'

interface Incoming {
  chat: { from: string; text: string }
  presence: { online: string[] }
}
interface Outgoing {
  chat: { text: string }
  typing: { active: boolean }
}

declare const socket: Socket<Incoming, Outgoing>

describe('useSocket', () => {
  it('carries the message maps it is given', () => {
    const provided = useSocket<Incoming, Outgoing>()
    expectTypeOf(provided).toEqualTypeOf<Socket<Incoming, Outgoing>>()
    provided.send('chat', { text: 'hi' })
    // @ts-expect-error: the outgoing chat payload has no `from`
    provided.send('chat', { from: 'me' })
    const owned = useSocket<Incoming, Outgoing>('wss://example.test/live', { heartbeat: true })
    // @ts-expect-error: `presence` is incoming only
    owned.send('presence', { online: [] })
    // @ts-expect-error: a url is a string, a URL or a function
    useSocket(42)
  })
})

describe('useSocketEvent', () => {
  it('infers the payload from the socket passed', () => {
    useSocketEvent('chat', (msg) => expectTypeOf(msg).toEqualTypeOf<{ from: string; text: string }>(), socket)
    useSocketEvent('close', (event) => expectTypeOf(event.willReconnect).toBeBoolean(), socket)
    useSocketEvent('state', (state) => expectTypeOf(state).toEqualTypeOf<Snapshot>(), socket)
    // The same return type as in @lifeline/vue: a function that stops listening.
    expectTypeOf(useSocketEvent('chat', () => {}, socket)).toEqualTypeOf<() => void>()
    // @ts-expect-error: a wrong payload type
    useSocketEvent('chat', (msg: { text: number }) => msg, socket)
    // @ts-expect-error: not an incoming type
    useSocketEvent('typing', () => {}, socket)
  })

  it('takes the maps as generics when the socket comes from the provider', () => {
    useSocketEvent<Incoming, Outgoing, 'presence'>('presence', (p) => expectTypeOf(p.online).toEqualTypeOf<string[]>())
    // @ts-expect-error: the payload of `presence` has no `text`
    useSocketEvent<Incoming, Outgoing, 'presence'>('presence', (p) => p.text)
  })

  it('accepts any type, with unknown payloads, on an untyped socket', () => {
    useSocketEvent('anything', (payload) => expectTypeOf(payload).toBeUnknown())
    useSocketEvent('anything', (payload) => expectTypeOf(payload).toBeUnknown(), connect('wss://example.test'))
  })
})

describe('useLastMessage and useMessages', () => {
  it('type the latest message and the list by the message type', () => {
    expectTypeOf(useLastMessage('chat', socket)).toEqualTypeOf<{ from: string; text: string } | undefined>()
    expectTypeOf(useMessages('presence', { limit: 5 }, socket)).toEqualTypeOf<readonly { online: string[] }[]>()
    expectTypeOf(useLastMessage<Incoming, Outgoing, 'chat'>('chat')).toEqualTypeOf<
      { from: string; text: string } | undefined
    >()
    // @ts-expect-error: may be undefined before the first message
    const text: string = useLastMessage('chat', socket).text
    // @ts-expect-error: not an incoming type
    useMessages('typing', {}, socket)
    // @ts-expect-error: limit is a number
    useMessages('chat', { limit: '5' }, socket)
    return text
  })
})

describe('useSocketState', () => {
  it('returns the snapshot', () => {
    expectTypeOf(useSocketState(socket)).toEqualTypeOf<Snapshot>()
    expectTypeOf(useSocketState().status).toEqualTypeOf<'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'>()
  })
})

describe('SocketProvider', () => {
  it('takes a socket or a url, not both', () => {
    createElement(SocketProvider, { socket })
    createElement(SocketProvider, { url: 'wss://example.test', options: { heartbeat: true } })
    // @ts-expect-error: a socket and a url
    createElement(SocketProvider, { socket, url: 'wss://example.test' })
    // @ts-expect-error: neither
    createElement(SocketProvider, {})
  })
})
