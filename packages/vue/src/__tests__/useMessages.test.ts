import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { defineComponent, effectScope, h, nextTick, watch } from 'vue'
import { useMessages } from '../index.js'
import { FakeWebSocket, fakeSocket, openLink, serverSend, useFakes } from './helpers.js'

useFakes()

describe('useMessages', () => {
  it('collects payloads oldest first, in a new array per message', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const messages = scope.run(() => useMessages('count', {}, socket))!
    expect(messages.value).toEqual([])
    await openLink()
    serverSend('count', 1)
    const first = messages.value
    serverSend('chat', { from: 'ann', text: 'not a count' })
    serverSend('count', 2)
    expect(messages.value).toEqual([1, 2])
    expect(messages.value).not.toBe(first)
    expect(first).toEqual([1])
    scope.stop()
    serverSend('count', 3)
    expect(messages.value).toEqual([1, 2])
    socket.dispose()
  })

  it('keeps the last 100 by default', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const messages = scope.run(() => useMessages('count', undefined, socket))!
    await openLink()
    for (let i = 0; i < 150; i++) serverSend('count', i)
    expect(messages.value).toHaveLength(100)
    expect(messages.value[0]).toBe(50)
    expect(messages.value.at(-1)).toBe(149)
    scope.stop()
    socket.dispose()
  })

  it.each([
    [1, [5]],
    [3, [3, 4, 5]],
    [5, [1, 2, 3, 4, 5]],
  ])('keeps at most limit %i, dropping the oldest', async (limit, expected) => {
    const socket = fakeSocket()
    const scope = effectScope()
    const messages = scope.run(() => useMessages('count', { limit }, socket))!
    const lengths: number[] = []
    await openLink()
    for (let i = 1; i <= 5; i++) {
      serverSend('count', i)
      lengths.push(messages.value.length)
    }
    expect(messages.value).toEqual(expected)
    expect(Math.max(...lengths)).toBe(limit)
    scope.stop()
    socket.dispose()
  })

  it('loses nothing in a burst of 1,000 messages in one tick', async () => {
    const socket = fakeSocket()
    const renders: number[] = []
    const changes = vi.fn()
    const wrapper = mount(
      defineComponent({
        setup() {
          const messages = useMessages('count', { limit: 1000 }, socket)
          watch(messages, (list) => changes(list.length))
          return () => {
            renders.push(messages.value.length)
            return h(
              'ul',
              messages.value.map((n) => h('li', String(n))),
            )
          }
        },
      }),
    )
    const ws = await openLink()
    for (let i = 0; i < 1000; i++) ws.serverSend({ type: 'count', data: i })
    await nextTick()
    const items = wrapper.findAll('li').map((li) => Number(li.text()))
    expect(items).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    // One render and one watcher call for the whole burst, with every message in it.
    expect(renders).toEqual([0, 1000])
    expect(changes.mock.calls).toEqual([[1000]])
    wrapper.unmount()
    socket.dispose()
    expect(FakeWebSocket.live()).toEqual([])
  })

  it('keeps the newest 100 of a 1,000-message burst by default, in order', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const messages = scope.run(() => useMessages('count', {}, socket))!
    const ws = await openLink()
    for (let i = 0; i < 1000; i++) ws.serverSend({ type: 'count', data: i })
    expect(messages.value).toEqual(Array.from({ length: 100 }, (_, i) => 900 + i))
    scope.stop()
    socket.dispose()
  })

  it.each([0, -1, Number.NaN, 0.5])('refuses limit %s', (limit) => {
    const socket = fakeSocket({ autoConnect: false })
    const scope = effectScope()
    expect(() => scope.run(() => useMessages('count', { limit }, socket))).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    )
    scope.stop()
    socket.dispose()
  })

  it('keeps everything with limit: Infinity', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const messages = scope.run(() => useMessages('count', { limit: Number.POSITIVE_INFINITY }, socket))!
    await openLink()
    for (let i = 0; i < 250; i++) serverSend('count', i)
    expect(messages.value).toHaveLength(250)
    scope.stop()
    socket.dispose()
  })
})
