import { answerJoin, lastJoin, publish, refuseJoin, sentOf } from '@lifeline/test-support/channelsHelpers'
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import { createSSRApp, defineComponent, effectScope, h, nextTick, watch } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createLifeline, useChannel } from '../index.js'
import { FakeWebSocket, fakeSocket, openLink, settle, useFakes } from './helpers.js'

useFakes()

describe('useChannel', () => {
  it('joins, then follows each publication as refs, none lost in a burst', async () => {
    const socket = fakeSocket()
    const ws = await openLink()
    const scope = effectScope()
    const room = scope.run(() => useChannel<string>('room', {}, socket))!
    expect(room.status.value).toBe('joining')
    expect(lastJoin(ws).data).toEqual({ channel: 'room', sub: expect.any(String) })
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    publish(ws, 1, 150)
    expect(room.status.value).toBe('joined')
    expect(room.offset.value).toBe(150)
    expect(room.last.value).toBe('p150')
    expect(room.messages.value).toHaveLength(100)
    expect(room.messages.value[0]).toBe('p51')
    scope.stop()
    socket.dispose()
  })

  it('scopes following one name share one join, left a moment after the last is disposed', async () => {
    const socket = fakeSocket()
    const ws = await openLink()
    const first = effectScope()
    const second = effectScope()
    const a = first.run(() => useChannel<string>('room', { limit: 2 }, socket))!
    const b = second.run(() => useChannel<string>('room', {}, socket))!
    expect(sentOf(ws, '$join')).toHaveLength(1)
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    publish(ws, 1, 3)
    expect(a.messages.value).toEqual(['p2', 'p3'])
    expect(b.messages.value).toEqual(['p1', 'p2', 'p3'])
    first.stop()
    second.stop()
    expect(sentOf(ws, '$leave')).toEqual([])
    // Followed again within the grace period: the same subscription, nothing sent.
    const again = effectScope()
    const c = again.run(() => useChannel<string>('room', {}, socket))!
    expect(c.status.value).toBe('joined')
    await settle()
    expect(sentOf(ws, '$join')).toHaveLength(1)
    again.stop()
    await settle()
    expect(sentOf(ws, '$leave')).toEqual([{ type: '$leave', data: { channel: 'room', sub: expect.any(String) } }])
    socket.dispose()
  })

  it('shows the last gap as a ref, then what follows, with the position to store as since', async () => {
    const socket = fakeSocket()
    const ws = await openLink()
    const scope = effectScope()
    const room = scope.run(() => useChannel<string>('room', {}, socket))!
    const gaps: unknown[] = []
    scope.run(() => watch(room.gap, (gap) => gaps.push(gap)))
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    publish(ws, 1, 2)
    expect(room.gap.value).toBeNull()

    publish(ws, 1, 1, 'e2') // a new epoch: the channel rejoins from the last position delivered
    expect(lastJoin(ws).data.since).toEqual({ epoch: 'e1', offset: 2 })
    answerJoin(ws, { epoch: 'e2', offset: 5, gap: { reason: 'epoch', from: 1, to: 5 } })
    await settle()
    publish(ws, 6, 6, 'e2')
    await nextTick()
    expect(room.gap.value).toEqual({ reason: 'epoch', from: 1, to: 5 })
    expect(gaps).toEqual([{ reason: 'epoch', from: 1, to: 5 }]) // once per gap, not per publication
    expect([room.epoch.value, room.offset.value, room.last.value]).toEqual(['e2', 6, 'p6'])
    expect(room.messages.value).toEqual(['p1', 'p2', 'p6'])
    scope.stop()
    socket.dispose()
  })

  it('reports a refused join as status failed with JOIN_REFUSED', async () => {
    const socket = fakeSocket()
    const ws = await openLink()
    const scope = effectScope()
    const room = scope.run(() => useChannel('room', {}, socket))!
    refuseJoin(ws)
    await settle()
    expect(room.status.value).toBe('failed')
    expect(room.error.value?.code).toBe('JOIN_REFUSED')
    scope.stop()
    socket.dispose()
  })

  it('works in a component with the provided socket, and publishes', async () => {
    const socket = fakeSocket()
    const ws = await openLink()
    const Room = defineComponent({
      setup() {
        const room = useChannel<string>('room')
        return () =>
          h('button', { onClick: () => void room.publish('hi') }, `${room.status.value} ${room.messages.value}`)
      },
    })
    const wrapper = mount(Room, { global: { plugins: [createLifeline(socket)] } })
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    publish(ws, 1)
    await settle()
    expect(wrapper.text()).toBe('joined p1')
    await wrapper.get('button').trigger('click')
    expect(sentOf(ws, '$publish')[0]?.data).toEqual({ channel: 'room', data: 'hi' })
    wrapper.unmount()
    await settle()
    expect(sentOf(ws, '$leave')).toHaveLength(1)
    socket.dispose()
  })

  it('renders joining during a server render and joins nothing', async () => {
    const socket = fakeSocket()
    const ws = await openLink()
    const Room = defineComponent({
      setup() {
        const room = useChannel<string>('room')
        return () => h('p', `${room.status.value}|${room.messages.value.length}`)
      },
    })
    const app = createSSRApp(Room).use(createLifeline(socket))
    expect(await renderToString(app)).toBe('<p>joining|0</p>')
    await settle()
    expect(ws.messages).toEqual([])
    expect(FakeWebSocket.instances).toHaveLength(1)
    socket.dispose()
  })
})
