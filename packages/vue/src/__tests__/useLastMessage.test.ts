import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { defineComponent, effectScope, h, nextTick, watch } from 'vue'
import { createLifeline, useLastMessage } from '../index.js'
import { fakeSocket, type Incoming, openLink, serverSend, useFakes } from './helpers.js'

useFakes()

describe('useLastMessage', () => {
  it('is undefined before the first message, then the latest payload', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const last = scope.run(() => useLastMessage('chat', socket))!
    expect(last.value).toBeUndefined()
    await openLink()
    serverSend('chat', { from: 'ann', text: 'one' })
    serverSend('count', 1)
    serverSend('chat', { from: 'bob', text: 'two' })
    expect(last.value).toEqual({ from: 'bob', text: 'two' })
    scope.stop()
    serverSend('chat', { from: 'cyd', text: 'after' })
    expect(last.value).toEqual({ from: 'bob', text: 'two' })
    socket.dispose()
  })

  it('notifies a watcher for every message, even an equal one', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const seen = vi.fn()
    scope.run(() => {
      const last = useLastMessage('count', socket)
      watch(last, (value) => seen(value), { flush: 'sync' })
    })
    await openLink()
    serverSend('count', 7)
    serverSend('count', 7)
    serverSend('count', 8)
    expect(seen.mock.calls).toEqual([[7], [7], [8]])
    scope.stop()
    socket.dispose()
  })

  it('renders the latest message from the app socket', async () => {
    const socket = fakeSocket()
    const wrapper = mount(
      defineComponent({
        setup() {
          const last = useLastMessage<Incoming, unknown, 'chat'>('chat')
          return () => h('p', last.value ? last.value.text : 'none')
        },
      }),
      { global: { plugins: [createLifeline(socket)] } },
    )
    expect(wrapper.text()).toBe('none')
    await openLink()
    serverSend('chat', { from: 'ann', text: 'hello' })
    await nextTick()
    expect(wrapper.text()).toBe('hello')
    wrapper.unmount()
    socket.dispose()
  })
})
