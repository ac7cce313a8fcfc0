import { connect, type Socket } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, renderHook } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { useSocketEvent } from '../index.js'
import { installHarness } from './harness.js'

installHarness()

interface Incoming {
  chat: { from: string; text: string }
  presence: { online: string[] }
}

function open(): Socket<Incoming> {
  const socket = connect<Incoming>('wss://example.test/events', { WebSocket: FakeWebSocket, browserEvents: false })
  FakeWebSocket.last.serverOpen()
  return socket
}

describe('useSocketEvent', () => {
  it('calls the handler with the same payload as socket.on', () => {
    const socket = open()
    const direct = vi.fn()
    socket.on('chat', direct)
    const handler = vi.fn()
    renderHook(() => useSocketEvent('chat', handler, socket))
    act(() => FakeWebSocket.last.serverEmit('chat', { from: 'ana', text: 'hi' }))
    expect(handler).toHaveBeenCalledTimes(1)
    expect(handler).toHaveBeenCalledWith({ from: 'ana', text: 'hi' })
    expect(handler.mock.calls[0]).toEqual(direct.mock.calls[0])
    socket.dispose()
  })

  it('subscribes once, and calls the latest handler after re-renders', () => {
    const socket = open()
    const on = vi.spyOn(socket, 'on')
    const calls: string[] = []
    const { rerender } = renderHook(
      ({ name }) => useSocketEvent('chat', (msg) => calls.push(`${name}:${msg.text}`), socket),
      {
        initialProps: { name: 'first' },
      },
    )
    rerender({ name: 'second' })
    rerender({ name: 'third' })
    act(() => FakeWebSocket.last.serverEmit('chat', { from: 'ana', text: 'hi' }))
    expect(on).toHaveBeenCalledTimes(1)
    expect(calls).toEqual(['third:hi'])
    socket.dispose()
  })

  it('returns the same function on every render, which stops listening before unmount, as in Vue', () => {
    const socket = open()
    const handler = vi.fn()
    const { result, rerender, unmount } = renderHook(() => useSocketEvent('chat', handler, socket))
    const off = result.current
    rerender()
    expect(result.current).toBe(off)
    act(() => FakeWebSocket.last.serverEmit('chat', { from: 'ana', text: 'one' }))
    act(() => off())
    act(() => FakeWebSocket.last.serverEmit('chat', { from: 'ana', text: 'two' }))
    expect(handler.mock.calls.map(([msg]) => msg.text)).toEqual(['one'])
    unmount()
    off() // harmless after unmount
    socket.dispose()
  })

  it('listens to lifecycle events', () => {
    const socket = open()
    const close = vi.fn()
    renderHook(() => useSocketEvent('close', close, socket))
    act(() => FakeWebSocket.last.serverClose(4401, 'unauthorized'))
    expect(close).toHaveBeenCalledWith({ code: 4401, reason: 'unauthorized', wasClean: true, willReconnect: false })
    socket.dispose()
  })

  it('stops listening on unmount and moves to a new type or socket', () => {
    const first = open()
    const second = open()
    const handler = vi.fn()
    const { rerender, unmount } = renderHook(
      ({ socket, type }: { socket: Socket<Incoming>; type: 'chat' | 'presence' }) =>
        useSocketEvent(type, handler, socket),
      { initialProps: { socket: first, type: 'chat' } },
    )
    const [firstWs, secondWs] = FakeWebSocket.instances
    rerender({ socket: first, type: 'presence' })
    act(() => firstWs?.serverEmit('chat', { from: 'ana', text: 'old type' }))
    act(() => firstWs?.serverEmit('presence', { online: ['ana'] }))
    rerender({ socket: second, type: 'presence' })
    act(() => firstWs?.serverEmit('presence', { online: ['old socket'] }))
    act(() => secondWs?.serverEmit('presence', { online: ['bo'] }))
    unmount()
    act(() => secondWs?.serverEmit('presence', { online: ['after unmount'] }))
    expect(handler.mock.calls).toEqual([[{ online: ['ana'] }], [{ online: ['bo'] }]])
    first.dispose()
    second.dispose()
  })

  it('does nothing, rather than throw, for a disposed socket', () => {
    const socket = open()
    socket.dispose()
    expect(() => renderHook(() => useSocketEvent('chat', () => {}, socket))).not.toThrow()
  })
})
