import type { Socket } from '@lifeline/core'
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createApp, defineComponent, h } from 'vue'
import { createLifeline, provideSocket, useSocket, useSocketState } from '../index.js'
import { FakeWebSocket, fakeSocket, type Incoming, type Outgoing, openLink, useFakes } from './helpers.js'

useFakes()

/** A component that records the socket `useSocket()` finds. */
function probe(found: Socket<Incoming, Outgoing>[]) {
  return defineComponent({
    setup() {
      found.push(useSocket<Incoming, Outgoing>())
      return () => h('span')
    },
  })
}

describe('createLifeline', () => {
  it('gives the app its socket through useSocket()', () => {
    const socket = fakeSocket()
    const found: Socket<Incoming, Outgoing>[] = []
    mount(probe(found), { global: { plugins: [createLifeline(socket)] } })
    expect(found).toEqual([socket])
    expect(found[0]).toBe(socket)
    socket.dispose()
  })

  it('does not dispose the socket it was given when the app unmounts', async () => {
    const socket = fakeSocket()
    const ws = await openLink()
    const wrapper = mount(probe([]), { global: { plugins: [createLifeline(socket)] } })
    wrapper.unmount()
    expect(socket.getSnapshot().status).toBe('open')
    expect(socket.send('chat', { text: 'still here' })).toBe('sent')
    expect(ws.closedWith).toBeNull()
    socket.dispose()
  })

  it('serves composables called without a socket', async () => {
    const socket = fakeSocket()
    let status: ReturnType<typeof useSocketState>['status'] | undefined
    const wrapper = mount(
      defineComponent({
        setup() {
          status = useSocketState().status
          return () => h('p', status?.value)
        },
      }),
      { global: { plugins: [createLifeline(socket)] } },
    )
    expect(wrapper.text()).toBe('connecting')
    await openLink()
    expect(wrapper.text()).toBe('open')
    wrapper.unmount()
    socket.dispose()
  })
})

describe('provideSocket', () => {
  it('lets the nearest provider win over the app plugin', () => {
    const appSocket = fakeSocket()
    const roomSocket = fakeSocket()
    const found: Socket<Incoming, Outgoing>[] = []
    const Child = probe(found)
    const Room = defineComponent({
      setup() {
        provideSocket(roomSocket)
        return () => h(Child)
      },
    })
    mount(
      defineComponent({
        setup: () => () => [h(Child), h(Room)],
      }),
      { global: { plugins: [createLifeline(appSocket)] } },
    )
    expect(found).toHaveLength(2)
    expect(found[0]).toBe(appSocket)
    expect(found[1]).toBe(roomSocket)
    appSocket.dispose()
    roomSocket.dispose()
  })

  it('returns the socket and leaves it open when the provider unmounts', () => {
    const socket = fakeSocket()
    let returned: unknown
    const wrapper = mount(
      defineComponent({
        setup() {
          returned = provideSocket(socket)
          return () => h('span')
        },
      }),
    )
    wrapper.unmount()
    expect(returned).toBe(socket)
    expect(socket.getSnapshot().status).toBe('connecting')
    expect(FakeWebSocket.live()).toHaveLength(1)
    socket.dispose()
  })
})

describe('useSocket() without a provider', () => {
  it('throws an error that names provideSocket and createLifeline', () => {
    const app = createApp(probe([]))
    app.config.warnHandler = () => {}
    let error: unknown
    app.config.errorHandler = (e) => {
      error = e
    }
    app.mount(document.createElement('div'))
    expect(error).toBeInstanceOf(Error)
    expect(String(error)).toMatch(/useSocket\(\) found no socket/)
    expect(String(error)).toMatch(/provideSocket\(socket\)/)
    expect(String(error)).toMatch(/createLifeline\(socket\)/)
    app.unmount()
  })

  it('throws the same error outside setup(), without a Vue warning about inject()', () => {
    const warnings: unknown[] = []
    const original = console.warn
    console.warn = (...args: unknown[]) => warnings.push(args)
    try {
      expect(() => useSocket()).toThrow(
        expect.objectContaining({
          code: 'NO_SOCKET',
          message: expect.stringMatching(/createLifeline\(socket\).*provideSocket\(socket\)/),
        }),
      )
      expect(() => useSocketState()).toThrow(
        /useSocketState\(\) found no socket.*createLifeline\(socket\).*provideSocket/,
      )
    } finally {
      console.warn = original
    }
    expect(warnings).toEqual([])
  })

  it('finds the socket in app.runWithContext()', () => {
    const socket = fakeSocket()
    const app = createApp({ render: () => null }).use(createLifeline(socket))
    expect(app.runWithContext(() => useSocket())).toBe(socket)
    socket.dispose()
  })
})
