import { type CloseEvent, connect, type LifelineError, type Snapshot, type Socket } from '@lifeline/core'
import { defineStore } from 'pinia'
import { describe, expectTypeOf, it } from 'vitest'
import { computed, type Plugin, type Ref, ref, type ShallowRef } from 'vue'
import {
  createLifeline,
  provideSocket,
  type SocketState,
  type UseMessagesOptions,
  type UseSocketOptions,
  useLastMessage,
  useMessages,
  useSocket,
  useSocketEvent,
  useSocketState,
} from '../index.js'

interface Incoming {
  chat: { from: string; text: string }
  presence: { online: string[] }
}
interface Outgoing {
  chat: { text: string }
  typing: { active: boolean }
}

type Chat = Incoming['chat']

describe('types', () => {
  const socket = connect<Incoming, Outgoing>('wss://example.com/live')

  it('keeps the message types of a socket held by a Pinia setup store', () => {
    const useChat = defineStore('chat', () => {
      const socket = useSocket<Incoming, Outgoing>('wss://example.com/live')
      return { socket, state: useSocketState(socket) }
    })
    const store = useChat()
    expectTypeOf(store.socket).toEqualTypeOf<Socket<Incoming, Outgoing>>()
    store.socket.on('chat', (msg) => expectTypeOf(msg).toEqualTypeOf<Chat>())
    useSocketEvent('chat', (msg) => expectTypeOf(msg).toEqualTypeOf<Chat>(), store.socket)
    expectTypeOf(useMessages('chat', {}, store.socket).value).toEqualTypeOf<readonly Chat[]>()
    store.socket.send('chat', { text: 'hi' })
    // @ts-expect-error: wrong outgoing payload
    store.socket.send('chat', { text: 1 })
    // @ts-expect-error: not an incoming type
    store.socket.on('nope', () => {})
  })

  it('types the owned socket by its message maps', () => {
    const owned = useSocket<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })
    expectTypeOf(owned).toEqualTypeOf<Socket<Incoming, Outgoing>>()
    const room = ref('lobby')
    useSocket<Incoming, Outgoing>(room)
    useSocket<Incoming, Outgoing>(() => `wss://example.com/rooms/${room.value}`)
    useSocket<Incoming, Outgoing>(computed(() => new URL(`wss://example.com/${room.value}`)))
    owned.send('chat', { text: 'hi' })
    // @ts-expect-error: wrong outgoing payload
    owned.send('chat', { text: 1 })
    // @ts-expect-error: a url is a string or URL, or a ref or getter of one
    useSocket(42)
    // @ts-expect-error: an async function is a url provider for connect(), not a reactive url
    useSocket(async () => 'wss://example.com/live')
    // @ts-expect-error: unknown option
    useSocket('wss://example.com/live', { autoconnect: false })
    expectTypeOf<UseSocketOptions<Incoming, Outgoing>['autoConnect']>().toEqualTypeOf<boolean | undefined>()
  })

  it('types the injected socket by the generics given', () => {
    expectTypeOf(useSocket<Incoming, Outgoing>()).toEqualTypeOf<Socket<Incoming, Outgoing>>()
    expectTypeOf(useSocket()).toEqualTypeOf<Socket>()
  })

  it('plugs a typed socket into the app and into a subtree', () => {
    expectTypeOf(createLifeline(socket)).toEqualTypeOf<Plugin>()
    expectTypeOf(provideSocket(socket)).toEqualTypeOf<Socket<Incoming, Outgoing>>()
    // @ts-expect-error: not a socket
    createLifeline({})
  })

  it('gives readonly refs of every snapshot field', () => {
    const state = useSocketState(socket)
    expectTypeOf(state).toEqualTypeOf<SocketState>()
    expectTypeOf(state.status.value).toEqualTypeOf<Snapshot['status']>()
    expectTypeOf(state.latency.value).toEqualTypeOf<number | null>()
    expectTypeOf(state.lastError.value).toEqualTypeOf<LifelineError | null>()
    expectTypeOf(state.nextRetryAt).toMatchTypeOf<Readonly<ShallowRef<number | null>>>()
    expectTypeOf(state.attempt).toMatchTypeOf<Readonly<Ref<number>>>()
    // @ts-expect-error: readonly
    state.status.value = 'open'
    // @ts-expect-error: not a snapshot field
    state.connected
  })

  it('types event handlers by the socket and rejects unknown types', () => {
    useSocketEvent('chat', (msg) => expectTypeOf(msg).toEqualTypeOf<Chat>(), socket)
    useSocketEvent('close', (close) => expectTypeOf(close).toEqualTypeOf<CloseEvent>(), socket)
    useSocketEvent('error', (error) => expectTypeOf(error).toEqualTypeOf<LifelineError>(), socket)
    expectTypeOf(useSocketEvent('open', () => {}, socket)).toEqualTypeOf<() => void>()
    // @ts-expect-error: not an incoming type of this socket
    useSocketEvent('chatt', () => {}, socket)
    // @ts-expect-error: wrong payload type
    useSocketEvent('chat', (msg: { nope: number }) => msg, socket)
    // Without a socket, generics type the injected one.
    useSocketEvent<Incoming, Outgoing, 'presence'>('presence', (p) => expectTypeOf(p.online).toEqualTypeOf<string[]>())
  })

  it('types the last message and the message list', () => {
    const last = useLastMessage('chat', socket)
    expectTypeOf(last.value).toEqualTypeOf<Chat | undefined>()
    // @ts-expect-error: readonly
    last.value = undefined
    // @ts-expect-error: not an incoming type of this socket
    useLastMessage('typing', socket)

    const messages = useMessages('chat', { limit: 50 }, socket)
    expectTypeOf(messages.value).toEqualTypeOf<readonly Chat[]>()
    // @ts-expect-error: a new array per change: never mutated in place
    messages.value.push({ from: 'a', text: 'b' })
    // @ts-expect-error: readonly
    messages.value = []
    // @ts-expect-error: limit is a number
    useMessages('chat', { limit: '50' }, socket)
    expectTypeOf<UseMessagesOptions>().toEqualTypeOf<{ limit?: number }>()
  })
})
