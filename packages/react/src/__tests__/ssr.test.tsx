// @vitest-environment node
import { connect } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { useEffect } from 'react'
import { renderToString } from 'react-dom/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  SocketProvider,
  useLastMessage,
  useMessages,
  useRequest,
  useSocket,
  useSocketEvent,
  useSocketState,
} from '../index.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

function Live() {
  const socket = useSocket()
  const state = useSocketState()
  useSocketEvent('chat', () => {
    throw new Error('no events on the server')
  })
  const last = useLastMessage('chat')
  const all = useMessages('chat')
  socket.send('chat', { text: 'nothing is sent from a server render' })
  return <p>{`${state.status}|${String(last)}|${all.length}`}</p>
}

function Page() {
  const socket = useSocket('wss://example.test/ssr', { WebSocket: FakeWebSocket })
  return (
    <SocketProvider socket={socket}>
      <Live />
    </SocketProvider>
  )
}

describe('server rendering', () => {
  it('runs where there is no window and no WebSocket', () => {
    expect(typeof window).toBe('undefined')
    expect('WebSocket' in globalThis).toBe(false)
  })

  it('renders <SocketProvider url> as idle and connects nothing, even for a relative url', () => {
    const html = renderToString(
      <SocketProvider url="/live">
        <Live />
      </SocketProvider>,
    )
    expect(html).toBe('<p>idle|undefined|0</p>')
    expect(vi.getTimerCount()).toBe(0)
  })

  it('renders useSocket(url, options) as idle and opens no WebSocket', () => {
    expect(renderToString(<Page />)).toBe('<p>idle|undefined|0</p>')
    expect(FakeWebSocket.instances).toHaveLength(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('renders an app-owned socket as idle, whatever its state, so hydration matches', () => {
    const socket = connect('wss://example.test/ssr', { WebSocket: FakeWebSocket, browserEvents: false })
    expect(socket.getSnapshot().status).toBe('connecting')
    const html = renderToString(
      <SocketProvider socket={socket}>
        <Live />
      </SocketProvider>,
    )
    expect(html).toBe('<p>idle|undefined|0</p>')
    socket.dispose()
  })

  it('renders useRequest as idle and sends nothing, even with a send in an effect and an open socket', () => {
    const socket = connect<Record<string, unknown>, { getUser: { id: string } }, { getUser: { name: string } }>(
      'wss://example.test/ssr',
      { WebSocket: FakeWebSocket, browserEvents: false },
    )
    FakeWebSocket.last.serverOpen()
    function Profile() {
      const user = useRequest('getUser', socket)
      useEffect(() => void user.send({ id: '1' }), [user.send])
      return <p>{`${user.status}|${user.pending}|${String(user.data)}|${String(user.error)}`}</p>
    }

    expect(renderToString(<Profile />)).toBe('<p>idle|false|undefined|null</p>')
    expect(FakeWebSocket.last.sent).toEqual([])
    expect(socket.getSnapshot().pending).toBe(0)
    socket.dispose()
  })
})
