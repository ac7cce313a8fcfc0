import { mount } from '@vue/test-utils'
import { createPinia, defineStore } from 'pinia'
import { describe, expect, it, vi } from 'vitest'
import {
  createApp,
  defineComponent,
  effectScope,
  h,
  isProxy,
  type MaybeRefOrGetter,
  nextTick,
  reactive,
  ref,
  toRaw,
} from 'vue'
import { type UseSocketOptions, useLastMessage, useSocket, useSocketState } from '../index.js'
import {
  FakeWebSocket,
  fakeOptions,
  fakeSocket,
  fakeWindow,
  type Incoming,
  type Outgoing,
  openLink,
  settle,
  URL_A,
  URL_B,
  URL_C,
  useFakes,
} from './helpers.js'

useFakes()

/** Runs `useSocket` in a fresh effect scope, as a Pinia store or a composable would. */
function scoped(url: MaybeRefOrGetter<string | URL>, options: UseSocketOptions<Incoming, Outgoing> = {}) {
  const scope = effectScope()
  const socket = scope.run(() => useSocket<Incoming, Outgoing>(url, { ...fakeOptions, ...options }))!
  return { scope, socket }
}

const urls = () => FakeWebSocket.instances.map((ws) => ws.url)

describe('useSocket(url) in an effect scope', () => {
  it('opens at once and is disposed with the scope', async () => {
    const { scope, socket } = scoped(URL_A, { heartbeat: true })
    expect(socket.getSnapshot().status).toBe('connecting')
    await settle()
    expect(urls()).toEqual([URL_A])
    const ws = await openLink()
    expect(socket.getSnapshot().status).toBe('open')
    scope.stop()
    expect(socket.getSnapshot().status).toBe('closed')
    expect(ws.closedWith).toEqual({ code: 1000, reason: '' })
    expect(() => socket.send('chat', { text: 'late' })).toThrow(/disposed/)
  })

  it('leaves no timer, window listener or state subscriber after the scope is disposed', async () => {
    const win = fakeWindow()
    const scope = effectScope()
    let state: ReturnType<typeof useSocketState> | undefined
    const socket = scope.run(() => {
      const s = useSocket<Incoming, Outgoing>(URL_A, { ...fakeOptions, browserEvents: win, heartbeat: true })
      state = useSocketState(s)
      return s
    })!
    await openLink()
    expect(vi.getTimerCount()).toBeGreaterThan(0)
    expect(win.count()).toBeGreaterThan(0)
    const listener = vi.fn()
    socket.subscribe(listener)
    scope.stop()
    expect(vi.getTimerCount()).toBe(0)
    expect(win.count()).toBe(0)
    expect(FakeWebSocket.live()).toEqual([])
    // dispose() dropped every subscriber: the closing change was the last one anyone heard of.
    expect(listener).toHaveBeenCalledTimes(1)
    expect(state?.status.value).toBe('closed')
  })

  it('waits for socket.open() with autoConnect: false', async () => {
    const { scope, socket } = scoped(URL_A, { autoConnect: false })
    expect(socket.getSnapshot().status).toBe('idle')
    expect(FakeWebSocket.instances).toHaveLength(0)
    socket.open()
    await settle()
    expect(urls()).toEqual([URL_A])
    scope.stop()
  })

  it('warns in development when called outside any effect scope', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const socket = useSocket(URL_A, fakeOptions)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/useSocket\(url\) was called outside an effect scope/)
    socket.dispose()
  })

  it('does not warn inside an effect scope', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    scoped(URL_A).scope.stop()
    expect(warn).not.toHaveBeenCalled()
  })
})

describe('useSocket(url) in a store', () => {
  it('lives in a real Pinia setup store: never proxied, and disposed with the store', async () => {
    const pinia = createPinia()
    const app = createApp({ render: () => null }).use(pinia)
    const useChat = defineStore('chat', () => {
      const socket = useSocket<Incoming, Outgoing>(URL_A, fakeOptions)
      return { socket, ...useSocketState(socket), last: useLastMessage('chat', socket) }
    })
    const store = app.runWithContext(() => useChat())
    expect(isProxy(store.socket)).toBe(false)
    const ws = await openLink()
    expect(store.status).toBe('open')
    expect(store.socket.send('chat', { text: 'from pinia' })).toBe('sent')
    ws.serverSend({ type: 'chat', data: { from: 'ann', text: 'hi' } })
    expect(store.last?.text).toBe('hi')
    store.$dispose()
    expect(store.socket.getSnapshot().status).toBe('closed')
  })

  it('can be held in reactive state, as a Pinia setup store holds what it returns', async () => {
    const scope = effectScope(true)
    const store = reactive(
      scope.run(() => {
        const socket = useSocket<Incoming, Outgoing>(URL_A, fakeOptions)
        return { socket, ...useSocketState(socket), last: useLastMessage('chat', socket) }
      })!,
    )
    const ws = await openLink()
    expect(store.status).toBe('open')
    expect(store.socket.send('chat', { text: 'from the store' })).toBe('sent')
    expect(ws.messages).toEqual([{ type: 'chat', data: { text: 'from the store' } }])
    ws.serverSend({ type: 'chat', data: { from: 'ann', text: 'hi' } })
    expect(store.last?.text).toBe('hi')
    scope.stop()
    expect(store.status).toBe('closed')
  })

  it('lets composables take a socket that sits behind a reactive proxy', async () => {
    const socket = fakeSocket()
    const proxied = reactive({ socket: toRaw(socket) }).socket
    const scope = effectScope()
    const state = scope.run(() => useSocketState(proxied))!
    const last = scope.run(() => useLastMessage('count', proxied))!
    await openLink()
    FakeWebSocket.last.serverSend({ type: 'count', data: 5 })
    expect(state.status.value).toBe('open')
    expect(last.value).toBe(5)
    scope.stop()
    socket.dispose()
  })
})

describe('useSocket(url) when the url changes', () => {
  it('reconnects the same socket exactly once, to the new url', async () => {
    const url = ref(URL_A)
    const { scope, socket } = scoped(url)
    const first = await openLink()
    const close = vi.fn()
    socket.on('close', close)
    url.value = URL_B
    await settle()
    expect(urls()).toEqual([URL_A, URL_B])
    expect(first.closedWith).toEqual({ code: 1000, reason: 'reconnect' })
    expect(close).toHaveBeenCalledWith({ code: 1000, reason: 'reconnect', wasClean: true, willReconnect: true })
    await openLink()
    expect(socket.getSnapshot().status).toBe('open')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(urls()).toEqual([URL_A, URL_B])
    scope.stop()
  })

  it('follows a getter, and several changes in one tick make one reconnect', async () => {
    const room = ref('a')
    const { scope } = scoped(() => `wss://example.test/${room.value}`)
    await openLink()
    room.value = 'b'
    room.value = 'c'
    await settle()
    expect(urls()).toEqual([URL_A, URL_C])
    scope.stop()
  })

  it('does nothing when a getter re-runs with the same url', async () => {
    const room = ref('a')
    const other = ref(0)
    const { scope } = scoped(() => `wss://example.test/${room.value}${other.value > 100 ? '?big' : ''}`)
    await openLink()
    other.value = 1
    await settle()
    room.value = 'b'
    room.value = 'a'
    await settle()
    expect(urls()).toEqual([URL_A])
    scope.stop()
  })

  it('abandons an attempt that began with the old url and starts one with the new url', async () => {
    const url = ref(URL_A)
    const { scope, socket } = scoped(url)
    await settle()
    const stale = FakeWebSocket.last
    url.value = URL_B
    await settle()
    expect(urls()).toEqual([URL_A, URL_B])
    expect(FakeWebSocket.live()).toEqual([FakeWebSocket.last])
    // The abandoned attempt opening late changes nothing.
    stale.serverOpen()
    await settle()
    expect(socket.getSnapshot().status).toBe('connecting')
    await openLink()
    expect(socket.getSnapshot().status).toBe('open')
    expect(urls()).toEqual([URL_A, URL_B])
    scope.stop()
  })

  it('sends nothing queued to the old url', async () => {
    const url = ref(URL_A)
    const { scope, socket } = scoped(url)
    socket.send('chat', { text: 'for room b' })
    await settle()
    const stale = FakeWebSocket.last
    url.value = URL_B
    await settle()
    stale.serverOpen()
    const fresh = await openLink()
    expect(stale.sent).toEqual([])
    expect(fresh.sent).toHaveLength(1)
    scope.stop()
  })

  it('reconnects at once while waiting for a retry', async () => {
    const url = ref(URL_A)
    const { scope, socket } = scoped(url, { reconnect: { initialDelay: 10_000, jitter: 'none' } })
    await openLink()
    FakeWebSocket.last.serverClose(1006)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    url.value = URL_B
    await settle()
    expect(urls()).toEqual([URL_A, URL_B])
    await openLink()
    // The retry that was scheduled for the old url is gone.
    await vi.advanceTimersByTimeAsync(60_000)
    expect(urls()).toEqual([URL_A, URL_B])
    expect(socket.getSnapshot().status).toBe('open')
    scope.stop()
  })

  it('does not open an idle socket; open() then uses the latest url', async () => {
    const url = ref(URL_A)
    const { scope, socket } = scoped(url, { autoConnect: false })
    url.value = URL_B
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(0)
    socket.open()
    await settle()
    expect(urls()).toEqual([URL_B])
    scope.stop()
  })

  it('does not reopen a socket the user closed', async () => {
    const url = ref(URL_A)
    const { scope, socket } = scoped(url)
    await openLink()
    socket.close()
    url.value = URL_B
    await settle()
    expect(urls()).toEqual([URL_A])
    expect(socket.getSnapshot().status).toBe('closed')
    scope.stop()
  })

  it('stops following the url after the scope is disposed', async () => {
    const url = ref(URL_A)
    const { scope } = scoped(url)
    await openLink()
    scope.stop()
    url.value = URL_B
    await settle()
    expect(urls()).toEqual([URL_A])
  })
})

describe('useSocket(url) in a component', () => {
  it('keeps one socket across renders, opens once mounted and is disposed on unmount', async () => {
    const sockets = new Set<unknown>()
    const statusAtSetup: string[] = []
    const tick = ref(0)
    const wrapper = mount(
      defineComponent({
        setup() {
          const socket = useSocket<Incoming, Outgoing>(URL_A, fakeOptions)
          statusAtSetup.push(socket.getSnapshot().status)
          return () => {
            sockets.add(socket)
            return h('p', `${tick.value}`)
          }
        },
      }),
    )
    expect(statusAtSetup).toEqual(['idle'])
    await settle()
    expect(urls()).toEqual([URL_A])
    tick.value++
    await nextTick()
    expect(wrapper.text()).toBe('1')
    expect(sockets.size).toBe(1)
    await openLink()
    wrapper.unmount()
    expect(FakeWebSocket.live()).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('opens at once when created in a component that is already mounted', async () => {
    const scope = effectScope(true)
    const wrapper = mount(
      defineComponent({
        setup: () => () => h('button', { onClick: () => scope.run(() => useSocket(URL_A, fakeOptions)) }),
      }),
    )
    wrapper.find('button').element.click()
    await settle()
    expect(urls()).toEqual([URL_A])
    scope.stop()
    wrapper.unmount()
  })

  it('does not open a socket disposed before the component mounted', () => {
    const wrapper = mount(
      defineComponent({
        setup() {
          const scope = effectScope()
          const socket = scope.run(() => useSocket(URL_A, fakeOptions))!
          scope.stop()
          expect(socket.getSnapshot().status).toBe('closed')
          return () => h('span')
        },
      }),
    )
    expect(FakeWebSocket.instances).toHaveLength(0)
    wrapper.unmount()
  })
})
