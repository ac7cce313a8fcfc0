import { connect } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, render, renderHook } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { SocketProvider, useSocketState } from '../index.js'
import { installHarness } from './harness.js'

installHarness()

const URL = 'wss://example.test/state'

function Status() {
  return <span>{useSocketState().status}</span>
}

describe('useSocketState', () => {
  it('follows the snapshot through open, drop and retry', () => {
    const socket = connect(URL, {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      reconnect: { initialDelay: 1000, jitter: 'none' },
    })
    const { result } = renderHook(() => useSocketState(socket))
    expect(result.current).toBe(socket.getSnapshot())
    expect(result.current.status).toBe('connecting')
    act(() => FakeWebSocket.last.serverOpen())
    expect(result.current.status).toBe('open')
    act(() => FakeWebSocket.last.serverClose(1006))
    expect(result.current).toMatchObject({ status: 'reconnecting', attempt: 1, lastClose: { code: 1006 } })
    expect(result.current.nextRetryAt).toBe(Date.now() + 1000)
    act(() => socket.dispose())
    expect(result.current.status).toBe('closed')
  })

  it('reads the provider socket when none is passed', () => {
    const socket = connect(URL, { WebSocket: FakeWebSocket, autoConnect: false })
    const { container } = render(
      <SocketProvider socket={socket}>
        <Status />
      </SocketProvider>,
    )
    expect(container.textContent).toBe('idle')
    act(() => socket.open())
    expect(container.textContent).toBe('connecting')
    socket.dispose()
  })

  it('re-renders only when the snapshot changes', () => {
    const socket = connect(URL, { WebSocket: FakeWebSocket, browserEvents: false })
    let renders = 0
    renderHook(() => {
      renders++
      return useSocketState(socket)
    })
    const before = renders
    act(() => FakeWebSocket.last.serverOpen())
    expect(renders).toBe(before + 1)
    act(() => {
      socket.send('chat', { text: 'a' }) // sent at once: no state change
      FakeWebSocket.last.serverEmit('chat', { text: 'b' })
    })
    expect(renders).toBe(before + 1)
    socket.dispose()
  })

  it('throws a LifelineError naming SocketProvider without a socket', () => {
    expect(() => renderHook(() => useSocketState())).toThrow(/useSocketState\(\).*SocketProvider/)
  })
})
