// @vitest-environment node
import { connect } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { renderToString } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SocketProvider, useChannel } from '../index.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

function Room() {
  const room = useChannel<string>('room')
  return <p>{`${room.status}|${room.messages.length}|${String(room.last)}`}</p>
}

describe('useChannel during a server render', () => {
  it('renders joining and joins nothing, even on an open socket', async () => {
    const socket = connect('wss://example.test/ssr', { WebSocket: FakeWebSocket, browserEvents: false })
    const ws = FakeWebSocket.last
    ws.serverOpen()
    await vi.advanceTimersByTimeAsync(0)
    const html = renderToString(
      <SocketProvider socket={socket}>
        <Room />
      </SocketProvider>,
    )
    expect(html).toBe('<p>joining|0|undefined</p>')
    await vi.advanceTimersByTimeAsync(0)
    expect(ws.messages).toEqual([])
    socket.dispose()
  })
})
