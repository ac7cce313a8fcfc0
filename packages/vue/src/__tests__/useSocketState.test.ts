import type { Snapshot, Socket } from '@lifeline/core'
import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { defineComponent, effectScope, h, isReadonly, isRef, nextTick, watch } from 'vue'
import { useSocketState } from '../index.js'
import { FakeWebSocket, fakeSocket, openLink, useFakes } from './helpers.js'

useFakes()

const FIELDS = ['status', 'attempt', 'queued', 'pending', 'latency', 'lastError', 'lastClose', 'nextRetryAt'] as const

/** Every field of the refs, as a plain object. */
function read(state: ReturnType<typeof useSocketState>): Snapshot {
  return Object.fromEntries(FIELDS.map((key) => [key, state[key].value])) as unknown as Snapshot
}

/** A socket stand-in with only the state channel: `on` fails, so the state cannot come from events. */
function stateOnly(initial: Snapshot) {
  let snapshot = initial
  const listeners = new Set<() => void>()
  const socket = {
    getSnapshot: () => snapshot,
    subscribe: (listener: () => void) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    on: () => {
      throw new Error('useSocketState must not listen to events')
    },
  }
  const set = (patch: Partial<Snapshot>) => {
    snapshot = Object.freeze({ ...snapshot, ...patch })
    for (const listener of listeners) listener()
  }
  return { socket: socket as unknown as Socket, set, listeners }
}

describe('useSocketState', () => {
  it('has one ref per snapshot field, equal to getSnapshot() after every change', async () => {
    const socket = fakeSocket({ reconnect: { initialDelay: 1000, jitter: 'none' } })
    const scope = effectScope()
    const state = scope.run(() => useSocketState(socket))!
    expect(Object.keys(state).sort()).toEqual([...FIELDS].sort())
    // Subscribed after useSocketState: the refs must already be current when this runs.
    const stale: Snapshot[] = []
    let changes = 0
    socket.subscribe(() => {
      changes++
      const snapshot = socket.getSnapshot()
      if (FIELDS.some((key) => state[key].value !== snapshot[key])) stale.push(read(state))
    })
    expect(read(state)).toEqual(socket.getSnapshot())
    socket.send('chat', { text: 'queued' })
    const ws = await openLink()
    ws.serverClose(1012, 'restart')
    expect(read(state)).toEqual(socket.getSnapshot())
    expect(state.status.value).toBe('reconnecting')
    expect(state.attempt.value).toBe(1)
    expect(state.lastClose.value).toEqual({ code: 1012, reason: 'restart', wasClean: true })
    expect(state.nextRetryAt.value).toBe(Date.now() + 1000)
    expect(changes).toBeGreaterThanOrEqual(3) // queued, open, reconnecting
    expect(stale).toEqual([])
    scope.stop()
    socket.dispose()
  })

  it('reads state only through subscribe and getSnapshot, never from events', () => {
    const { socket, set } = stateOnly(fakeSocket({ autoConnect: false }).getSnapshot())
    const scope = effectScope()
    const state = scope.run(() => useSocketState(socket))!
    set({ status: 'connecting' })
    set({ status: 'open', latency: 12 })
    expect(state.status.value).toBe('open')
    expect(state.latency.value).toBe(12)
    scope.stop()
  })

  it('unsubscribes when the scope is disposed', () => {
    const { socket, set, listeners } = stateOnly(fakeSocket({ autoConnect: false }).getSnapshot())
    const scope = effectScope()
    const state = scope.run(() => useSocketState(socket))!
    expect(listeners.size).toBe(1)
    scope.stop()
    expect(listeners.size).toBe(0)
    set({ status: 'open' })
    expect(state.status.value).toBe('idle')
  })

  it('returns readonly shallow refs that keep the error object itself', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const state = scope.run(() => useSocketState(socket))!
    await vi.advanceTimersByTimeAsync(10_001) // the attempt times out (after one grace turn)
    const error = socket.getSnapshot().lastError
    expect(error?.code).toBe('CONNECT_TIMEOUT')
    expect(state.lastError.value).toBe(error)
    expect(isRef(state.status)).toBe(true)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    // @ts-expect-error the refs are readonly
    state.status.value = 'open'
    expect(state.status.value).toBe('reconnecting')
    expect(warn).toHaveBeenCalled()
    expect(isReadonly(state.status) || state.status.value !== 'open').toBe(true)
    scope.stop()
    socket.dispose()
  })

  it('notifies a watcher of one field only when that field changes', async () => {
    const socket = fakeSocket({ autoConnect: false })
    const scope = effectScope()
    const onStatus = vi.fn()
    scope.run(() => {
      const { status } = useSocketState(socket)
      watch(status, onStatus)
    })
    socket.send('chat', { text: 'a' })
    socket.send('chat', { text: 'b' })
    await nextTick()
    expect(onStatus).not.toHaveBeenCalled()
    socket.open()
    await nextTick()
    expect(onStatus).toHaveBeenCalledTimes(1)
    expect(onStatus).toHaveBeenCalledWith('connecting', 'idle', expect.any(Function))
    scope.stop()
    socket.dispose()
  })

  it('re-renders a component as the status moves', async () => {
    const socket = fakeSocket()
    const wrapper = mount(
      defineComponent({
        setup() {
          const { status, attempt } = useSocketState(socket)
          return () => h('p', `${status.value}:${attempt.value}`)
        },
      }),
    )
    expect(wrapper.text()).toBe('connecting:0')
    const ws = await openLink()
    await nextTick()
    expect(wrapper.text()).toBe('open:0')
    ws.serverClose(1006)
    await nextTick()
    expect(wrapper.text()).toBe('reconnecting:1')
    wrapper.unmount()
    socket.dispose()
    expect(FakeWebSocket.live()).toEqual([])
  })
})
