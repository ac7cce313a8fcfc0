import { connect, type Socket } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, render } from '@testing-library/react'
import { StrictMode } from 'react'
import { describe, expect, it } from 'vitest'
import { SocketProvider, useSocket, useSocketState } from '../index.js'
import { installHarness, nextTick } from './harness.js'

installHarness()

const URL = 'wss://example.test/provider'
const options = { WebSocket: FakeWebSocket, browserEvents: false } as const

function Status() {
  return <span>{useSocketState().status}</span>
}

function Probe({ onSocket }: { onSocket: (socket: Socket) => void }) {
  onSocket(useSocket())
  return <Status />
}

/** Reports the socket of `useSocket(URL, options)`. */
function Sibling({ onSocket }: { onSocket: (socket: Socket) => void }) {
  onSocket(useSocket(URL, { ...options }))
  return null
}

describe('<SocketProvider socket>', () => {
  it('gives its socket to descendants and never disposes it', () => {
    const socket = connect(URL, options)
    let seen: Socket | undefined
    const { container, unmount } = render(
      <SocketProvider socket={socket}>
        <Probe onSocket={(s) => (seen = s)} />
      </SocketProvider>,
    )
    expect(seen).toBe(socket)
    act(() => FakeWebSocket.last.serverOpen())
    expect(container.textContent).toBe('open')
    unmount()
    nextTick(1000)
    expect(socket.getSnapshot().status).toBe('open')
    expect(FakeWebSocket.last.closed).toBe(false)
    expect(socket.send('chat', { text: 'still mine' })).toBe('sent')
    socket.dispose()
  })

  it('lets the nearest provider win', () => {
    const outer = connect(URL, { ...options, autoConnect: false })
    const inner = connect(URL, { ...options, autoConnect: false })
    const seen: Socket[] = []
    render(
      <SocketProvider socket={outer}>
        <Probe onSocket={(s) => seen.push(s)} />
        <SocketProvider socket={inner}>
          <Probe onSocket={(s) => seen.push(s)} />
        </SocketProvider>
      </SocketProvider>,
    )
    expect(seen).toEqual([outer, inner])
  })
})

describe('<SocketProvider url>', () => {
  it('connects once mounted and disposes its socket after unmount', () => {
    let seen: Socket | undefined
    const { container, unmount } = render(
      <SocketProvider url={URL} options={{ ...options }}>
        <Probe onSocket={(s) => (seen = s)} />
      </SocketProvider>,
    )
    expect(FakeWebSocket.instances).toHaveLength(1)
    act(() => FakeWebSocket.last.serverOpen())
    expect(container.textContent).toBe('open')
    unmount()
    nextTick()
    expect(seen?.getSnapshot().status).toBe('closed')
    expect(FakeWebSocket.last.closedWith?.code).toBe(1000)
  })

  it('opens exactly one WebSocket under StrictMode', () => {
    render(
      <StrictMode>
        <SocketProvider url={URL} options={{ ...options }}>
          <Status />
        </SocketProvider>
      </StrictMode>,
    )
    nextTick(1000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(FakeWebSocket.last.closed).toBe(false)
  })

  it('shares its socket with useSocket(url, options) and keeps it while either is mounted', () => {
    const seen: Socket[] = []
    const collect = (socket: Socket) => seen.push(socket)
    const { rerender } = render(
      <>
        <SocketProvider url={URL} options={{ ...options }}>
          <Probe onSocket={collect} />
          <Sibling onSocket={collect} />
        </SocketProvider>
        <Sibling onSocket={collect} />
      </>,
    )
    expect(seen).toHaveLength(3)
    expect(new Set(seen).size).toBe(1)
    expect(FakeWebSocket.instances).toHaveLength(1)
    rerender(<Sibling onSocket={collect} />)
    nextTick()
    expect(FakeWebSocket.last.closed).toBe(false)
    rerender(<div />)
    nextTick()
    expect(FakeWebSocket.last.closed).toBe(true)
  })
})
