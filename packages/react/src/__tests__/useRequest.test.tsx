import { connect, isLifelineError, type LifelineError, type Socket } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, render, renderHook } from '@testing-library/react'
import { StrictMode, useEffect } from 'react'
import { describe, expect, it } from 'vitest'
import { SocketProvider, useRequest } from '../index.js'
import { installHarness, settle } from './harness.js'

installHarness()

interface Outgoing {
  getUser: { id: string }
  search: { q: string }
}
interface Replies {
  getUser: { name: string }
  search: string[]
}
type App = Socket<Record<string, unknown>, Outgoing, Replies>

/** A socket on a FakeWebSocket, open unless told otherwise. */
async function open(options: { open?: boolean } = {}): Promise<App> {
  const socket = connect<Record<string, unknown>, Outgoing, Replies>('wss://example.test/requests', {
    WebSocket: FakeWebSocket,
    browserEvents: false,
  })
  if (options.open !== false) {
    FakeWebSocket.last.serverOpen()
    await settle()
  }
  return socket
}

/** The requests written to the newest link, as `{ type, data, id }`. */
const requests = () =>
  (FakeWebSocket.last.messages as Array<{ type: string; data?: unknown; id: string }>).filter((m) => m.id)

/** The server's reply to the `n`th request written (0 for the first). */
function reply(n: number, body: { data?: unknown; error?: unknown }): void {
  act(() => FakeWebSocket.last.serverSend({ re: requests()[n]?.id, ...body }))
}

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: LifelineError) => error,
  )

describe('useRequest', () => {
  it('is idle, then pending, then holds the reply data', async () => {
    const socket = await open()
    const { result } = renderHook(() => useRequest('getUser', socket))
    expect(result.current).toMatchObject({ status: 'idle', data: undefined, error: null, pending: false })

    let sent: Promise<{ name: string }> | undefined
    act(() => {
      sent = result.current.send({ id: '42' })
    })
    expect(result.current).toMatchObject({ status: 'pending', pending: true })
    await settle()
    expect(requests()).toEqual([{ type: 'getUser', data: { id: '42' }, id: expect.any(String) }])
    reply(0, { data: { name: 'ana' } })
    await settle()

    expect(result.current).toMatchObject({ status: 'success', data: { name: 'ana' }, error: null, pending: false })
    expect(await sent).toEqual({ name: 'ana' })
    socket.dispose()
  })

  it('puts a failure in error as a LifelineError, keeping the last data', async () => {
    const socket = await open()
    const { result } = renderHook(() => useRequest('getUser', socket))
    act(() => void result.current.send({ id: '1' }))
    await settle()
    reply(0, { data: { name: 'ana' } })
    await settle()

    act(() => void result.current.send({ id: '2' }))
    await settle()
    reply(1, { error: { code: 'NOT_FOUND', message: 'no such user' } })
    await settle()

    const { error } = result.current
    expect(isLifelineError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'REQUEST_FAILED', cause: { code: 'NOT_FOUND', message: 'no such user' } })
    expect(result.current).toMatchObject({ status: 'error', data: { name: 'ana' }, pending: false })
    socket.dispose()
  })

  it('a new send aborts the request before it; only the latest reaches the state', async () => {
    const socket = await open()
    const { result } = renderHook(() => useRequest('search', socket))
    let first: Promise<string[]> | undefined
    act(() => {
      first = result.current.send({ q: 'a' })
    })
    await settle()
    act(() => void result.current.send({ q: 'ab' }))
    await settle()

    expect((await rejection(first as Promise<string[]>))?.code).toBe('REQUEST_ABORTED')
    reply(0, { data: ['stale'] })
    reply(1, { data: ['fresh'] })
    await settle()

    expect(result.current).toMatchObject({ status: 'success', data: ['fresh'] })
    expect(socket.getSnapshot().pending).toBe(0)
    socket.dispose()
  })

  it('unmounting aborts the request in flight; a queued one is never sent', async () => {
    const socket = await open({ open: false })
    const { result, unmount } = renderHook(() => useRequest('getUser', socket))
    let sent: Promise<{ name: string }> | undefined
    act(() => {
      sent = result.current.send({ id: '1' })
    })
    await settle()
    expect(socket.getSnapshot()).toMatchObject({ queued: 1, pending: 1 })

    unmount()

    expect((await rejection(sent as Promise<unknown>))?.code).toBe('REQUEST_ABORTED')
    expect(socket.getSnapshot()).toMatchObject({ queued: 0, pending: 0 })
    act(() => FakeWebSocket.last.serverOpen())
    await settle()
    expect(requests()).toEqual([])
    socket.dispose()
  })

  it('abort() records REQUEST_ABORTED; reset() returns to idle', async () => {
    const socket = await open()
    const { result } = renderHook(() => useRequest('getUser', socket))
    act(() => void result.current.send({ id: '1' }))
    await settle()

    act(() => result.current.abort('cancelled'))
    await settle()
    expect(result.current).toMatchObject({ status: 'error', error: { code: 'REQUEST_ABORTED', cause: 'cancelled' } })
    act(() => result.current.reset())
    expect(result.current).toMatchObject({ status: 'idle', data: undefined, error: null, pending: false })
    socket.dispose()
  })

  it('keeps send, abort and reset the same across renders', async () => {
    const socket = await open()
    const { result, rerender } = renderHook(() => useRequest('getUser', socket))
    const { send, abort, reset } = result.current
    act(() => void result.current.send({ id: '1' }))
    rerender()

    expect(result.current.send).toBe(send)
    expect(result.current.abort).toBe(abort)
    expect(result.current.reset).toBe(reset)
    socket.dispose()
  })

  it('starts from idle for a new type or socket, aborting the request of the old one', async () => {
    const socket = await open()
    const { result, rerender } = renderHook(({ type }: { type: 'getUser' | 'search' }) => useRequest(type, socket), {
      initialProps: { type: 'getUser' },
    })
    act(() => void result.current.send({ id: '1' }))
    await settle()

    rerender({ type: 'search' })

    expect(result.current.status).toBe('idle')
    await settle()
    expect(socket.getSnapshot().pending).toBe(0)
    socket.dispose()
  })

  it('uses the provider socket when none is passed', async () => {
    const socket = await open()
    const { result } = renderHook(() => useRequest<Record<string, unknown>, Outgoing, Replies, 'getUser'>('getUser'), {
      wrapper: ({ children }) => <SocketProvider socket={socket}>{children}</SocketProvider>,
    })
    act(() => void result.current.send({ id: '1' }))
    await settle()
    reply(0, { data: { name: 'bo' } })
    await settle()

    expect(result.current.data).toEqual({ name: 'bo' })
    socket.dispose()
  })

  it('throws NO_SOCKET without a socket or provider', () => {
    expect(() => renderHook(() => useRequest('getUser'))).toThrow(expect.objectContaining({ code: 'NO_SOCKET' }))
  })

  it('under StrictMode, a request sent from a mount effect goes out once', async () => {
    const socket = await open()
    function Profile() {
      const { send, data } = useRequest('getUser', socket)
      useEffect(() => void send({ id: '7' }), [send])
      return <p>{data?.name ?? '…'}</p>
    }
    const { container } = render(
      <StrictMode>
        <Profile />
      </StrictMode>,
    )
    await settle()

    expect(requests()).toHaveLength(1)
    reply(0, { data: { name: 'ana' } })
    await settle()
    expect(container.textContent).toBe('ana')
    expect(socket.getSnapshot().pending).toBe(0)
    socket.dispose()
  })
})
