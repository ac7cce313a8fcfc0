import { type ConnectOptions, isLifelineError, type Socket, type UrlOption } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, render, renderHook } from '@testing-library/react'
import { type ReactNode, StrictMode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { SocketProvider, useSocket, useSocketState } from '../index.js'
import { installHarness, nextTick, settle } from './harness.js'

installHarness()

const URL = 'wss://example.test/live'

interface StatusProps {
  url?: UrlOption
  options?: ConnectOptions
  onSocket?: (socket: Socket) => void
}

function Status({ url = URL, options, onSocket }: StatusProps) {
  // A new options literal on every render, as most code writes it.
  const socket = useSocket(url, options ?? { WebSocket: FakeWebSocket, browserEvents: false })
  onSocket?.(socket)
  return <span>{useSocketState(socket).status}</span>
}

function Pair({ first, second }: { first: boolean; second: boolean }) {
  return (
    <>
      {first && <Status />}
      {second && <Status />}
    </>
  )
}

function Provider({ children }: { children?: ReactNode }) {
  return (
    <SocketProvider url={URL} options={{ WebSocket: FakeWebSocket }}>
      {children}
    </SocketProvider>
  )
}

describe('useSocket()', () => {
  it('returns the nearest SocketProvider socket', () => {
    const { result } = renderHook(() => useSocket(), { wrapper: Provider })
    expect(result.current.getSnapshot().status).toBe('connecting')
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('throws a LifelineError naming SocketProvider when there is none', () => {
    let caught: unknown
    try {
      renderHook(() => useSocket())
    } catch (error) {
      caught = error
    }
    expect(isLifelineError(caught)).toBe(true)
    expect((caught as { code: string }).code).toBe('NO_SOCKET')
    expect((caught as Error).message).toMatch(/^useSocket\(\) found no socket: .*<SocketProvider/)
  })
})

describe('useSocket(url, options)', () => {
  it('connects once mounted, with one WebSocket across re-renders of an inline options literal', () => {
    const { rerender, container } = render(<Status />)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(FakeWebSocket.last.url).toBe(URL)
    act(() => FakeWebSocket.last.serverOpen())
    expect(container.textContent).toBe('open')
    rerender(<Status />)
    rerender(<Status />)
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('opens exactly one WebSocket under StrictMode and keeps it open', () => {
    const sockets = new Set<Socket>()
    const { container } = render(
      <StrictMode>
        <Status onSocket={(socket) => sockets.add(socket)} />
      </StrictMode>,
    )
    nextTick(1000)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(FakeWebSocket.last.closed).toBe(false)
    expect(sockets.size).toBe(1)
    act(() => FakeWebSocket.last.serverOpen())
    expect(container.textContent).toBe('open')
  })

  it('shares one socket between components with the same url and options', () => {
    const seen: Socket[] = []
    render(
      <>
        <Status onSocket={(socket) => seen.push(socket)} />
        <Status onSocket={(socket) => seen.push(socket)} />
      </>,
    )
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(new Set(seen).size).toBe(1)
  })

  it('gives different urls or options different sockets', () => {
    render(
      <>
        <Status />
        <Status url="wss://example.test/other" />
        <Status options={{ WebSocket: FakeWebSocket, heartbeat: true }} />
      </>,
    )
    expect(FakeWebSocket.instances.map((ws) => ws.url)).toEqual([URL, 'wss://example.test/other', URL])
  })

  it.each([
    ['first', 'second'],
    ['second', 'first'],
  ] as const)('keeps the socket until the last user unmounts (%s unmounted first)', (early, late) => {
    const { rerender } = render(<Pair first second />)
    const ws = FakeWebSocket.last
    act(() => ws.serverOpen())
    rerender(<Pair {...{ first: true, second: true, [early]: false }} />)
    nextTick(1000)
    expect(ws.closed).toBe(false)
    rerender(<Pair {...{ first: false, second: false, [late]: true }} />)
    expect(FakeWebSocket.instances).toHaveLength(1)
    rerender(<Pair first={false} second={false} />)
    nextTick()
    expect(ws.closedWith).toEqual({ code: 1000, reason: '' })
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('disposes the socket on the next tick after the last user unmounts', () => {
    let socket: Socket | undefined
    const { unmount } = render(<Status onSocket={(s) => (socket = s)} />)
    act(() => FakeWebSocket.last.serverOpen())
    unmount()
    expect(socket?.getSnapshot().status).toBe('open') // not yet: a remount may still claim it
    nextTick()
    expect(socket?.getSnapshot().status).toBe('closed')
    expect(() => socket?.send('chat')).toThrow(/disposed/)
  })

  it('moves to a new socket when the url changes, and disposes the old one', () => {
    const { rerender, container } = render(<Status />)
    const first = FakeWebSocket.last
    rerender(<Status url="wss://example.test/next" />)
    nextTick()
    expect(first.closed).toBe(true)
    expect(FakeWebSocket.instances.map((ws) => ws.url)).toEqual([URL, 'wss://example.test/next'])
    act(() => FakeWebSocket.last.serverOpen())
    expect(container.textContent).toBe('open')
  })

  it('starts a fresh socket when mounted again after it was disposed', () => {
    render(<Status />).unmount()
    nextTick()
    render(<Status />)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(FakeWebSocket.instances[0]?.closed).toBe(true)
    expect(FakeWebSocket.instances[1]?.closed).toBe(false)
  })

  it('warns once when an inline function makes a new socket on every render', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const inline = () => ({ WebSocket: FakeWebSocket, onOpen: () => {} })
    const { rerender } = render(<Status options={inline()} />)
    for (let i = 0; i < 5; i++) rerender(<Status options={inline()} />)
    expect(FakeWebSocket.instances).toHaveLength(6)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toMatch(/useCallback/)
    warn.mockRestore()
  })

  it('does not warn when a function changes for a reason', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const onOpen = () => {}
    const { rerender } = render(<Status options={{ WebSocket: FakeWebSocket, onOpen }} />)
    for (let i = 0; i < 5; i++) rerender(<Status options={{ WebSocket: FakeWebSocket, onOpen }} />)
    rerender(<Status options={{ WebSocket: FakeWebSocket, onOpen: () => {} }} />)
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(warn).not.toHaveBeenCalled()
    warn.mockRestore()
  })

  it('leaves opening to the app with autoConnect: false', () => {
    let socket: Socket | undefined
    render(<Status options={{ WebSocket: FakeWebSocket, autoConnect: false }} onSocket={(s) => (socket = s)} />)
    expect(FakeWebSocket.instances).toHaveLength(0)
    expect(socket?.getSnapshot().status).toBe('idle')
    act(() => socket?.open())
    expect(FakeWebSocket.instances).toHaveLength(1)
  })

  it('opens nothing when an async url resolves after unmount', async () => {
    const resolvers: Array<(url: string) => void> = []
    const url = () => new Promise<string>((resolve) => resolvers.push(resolve))
    const { unmount } = render(<Status url={url} />)
    expect(resolvers).toHaveLength(1) // the attempt is waiting for the url
    unmount()
    nextTick()
    resolvers[0]?.(URL)
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(0)
  })

  it('connects when an async url resolves while mounted', async () => {
    const url = () => Promise.resolve(URL)
    render(<Status url={url} />)
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(1)
  })
})
