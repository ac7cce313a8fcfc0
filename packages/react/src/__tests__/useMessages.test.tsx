import { connect, type Socket } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, render, renderHook } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { SocketProvider, useLastMessage, useMessages } from '../index.js'
import { installHarness } from './harness.js'

installHarness()

interface Incoming {
  tick: number
  chat: { text: string }
}
type Outgoing = Record<string, never>

function open(): Socket<Incoming, Outgoing> {
  const socket = connect<Incoming, Outgoing>('wss://example.test/messages', {
    WebSocket: FakeWebSocket,
    browserEvents: false,
  })
  FakeWebSocket.last.serverOpen()
  return socket
}

function burst(count: number, from = 0): void {
  const ws = FakeWebSocket.last
  act(() => {
    for (let i = from; i < from + count; i++) ws.serverEmit('tick', i)
  })
}

function Chat() {
  return (
    <p>
      {useMessages<Incoming, Outgoing, 'chat'>('chat')
        .map((m) => m.text)
        .join(',')}
    </p>
  )
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)

describe('useMessages', () => {
  it('is empty before the first message, then lists messages oldest first', () => {
    const socket = open()
    const { result } = renderHook(() => useMessages('tick', undefined, socket))
    expect(result.current).toEqual([])
    burst(3)
    expect(result.current).toEqual([0, 1, 2])
    socket.dispose()
  })

  it('returns a new array per change and the same array otherwise', () => {
    const socket = open()
    const { result, rerender } = renderHook(() => useMessages('tick', undefined, socket))
    burst(1)
    const first = result.current
    rerender()
    expect(result.current).toBe(first)
    burst(1, 1)
    expect(result.current).not.toBe(first)
    expect(first).toEqual([0])
    socket.dispose()
  })

  it('keeps the last 100 by default', () => {
    const socket = open()
    const { result } = renderHook(() => useMessages('tick', undefined, socket))
    burst(150)
    expect(result.current).toEqual(range(50, 150))
    socket.dispose()
  })

  it('keeps the last `limit`', () => {
    const socket = open()
    const { result } = renderHook(() => useMessages('tick', { limit: 3 }, socket))
    burst(5)
    expect(result.current).toEqual([2, 3, 4])
    socket.dispose()
  })

  it('shows all of a burst of 1,000 messages delivered in one tick', () => {
    const socket = open()
    let renders = 0
    const { result } = renderHook(() => {
      renders++
      return useMessages('tick', { limit: 1000 }, socket)
    })
    const before = renders
    burst(1000)
    expect(result.current).toEqual(range(0, 1000))
    expect(renders - before).toBeLessThanOrEqual(2) // batched by React, yet nothing lost
    socket.dispose()
  })

  it('collects only its own type, from the provider socket', () => {
    const socket = open()
    const { container } = render(
      <SocketProvider socket={socket}>
        <Chat />
      </SocketProvider>,
    )
    act(() => {
      FakeWebSocket.last.serverEmit('chat', { text: 'a' })
      FakeWebSocket.last.serverEmit('tick', 1)
      FakeWebSocket.last.serverEmit('chat', { text: 'b' })
    })
    expect(container.textContent).toBe('a,b')
    socket.dispose()
  })

  it('rejects a limit below 1', () => {
    const socket = open()
    expect(() => renderHook(() => useMessages('tick', { limit: 0 }, socket))).toThrow(/limit/)
    socket.dispose()
  })
})

describe('useLastMessage', () => {
  it('is undefined before the first message, then the latest', () => {
    const socket = open()
    const { result } = renderHook(() => useLastMessage('chat', socket))
    expect(result.current).toBeUndefined()
    act(() => FakeWebSocket.last.serverEmit('chat', { text: 'a' }))
    expect(result.current).toEqual({ text: 'a' })
    act(() => {
      FakeWebSocket.last.serverEmit('chat', { text: 'b' })
      FakeWebSocket.last.serverEmit('chat', { text: 'c' })
    })
    expect(result.current).toEqual({ text: 'c' })
    socket.dispose()
  })

  it('starts again for a new socket', () => {
    const first = open()
    const second = open()
    const [firstWs] = FakeWebSocket.instances
    const { result, rerender } = renderHook(({ socket }) => useLastMessage('tick', socket), {
      initialProps: { socket: first },
    })
    act(() => firstWs?.serverEmit('tick', 1))
    expect(result.current).toBe(1)
    rerender({ socket: second })
    expect(result.current).toBeUndefined()
    act(() => firstWs?.serverEmit('tick', 2))
    expect(result.current).toBeUndefined()
    first.dispose()
    second.dispose()
  })
})
