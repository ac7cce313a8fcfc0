import { connect, type Socket } from '@lifeline/core'
import { answerJoin, lastJoin, publish, refuseJoin, sentOf } from '@lifeline/test-support/channelsHelpers'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, render, renderHook } from '@testing-library/react'
import { StrictMode } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { SocketProvider, useChannel } from '../index.js'
import { installHarness, nextTick, settle } from './harness.js'

installHarness()

async function open(): Promise<{ socket: Socket; ws: FakeWebSocket }> {
  const socket = connect('wss://example.test/channels', { WebSocket: FakeWebSocket, browserEvents: false })
  const ws = FakeWebSocket.last
  ws.serverOpen()
  await settle()
  return { socket, ws }
}

function Room({ tag }: { tag: string }) {
  const room = useChannel<string>('room', { limit: 3 })
  return <p data-testid={tag}>{`${room.status} ${room.offset} ${room.messages.join(',')} ${room.last}`}</p>
}

describe('useChannel', () => {
  it('joins once mounted, then shows each publication, none lost in a burst', async () => {
    const { socket, ws } = await open()
    const { result } = renderHook(() => useChannel<string>('room', undefined, socket))
    expect(result.current.status).toBe('joining')
    expect(lastJoin(ws).data).toEqual({ channel: 'room', sub: expect.any(String) })
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    act(() => publish(ws, 1, 150))
    expect(result.current).toMatchObject({ status: 'joined', epoch: 'e1', offset: 150, last: 'p150' })
    expect(result.current.messages).toHaveLength(100)
    expect(result.current.messages[0]).toBe('p51')
    socket.dispose()
  })

  it('components following one name share one join; StrictMode neither leaves nor joins again', async () => {
    const { socket, ws } = await open()
    const view = render(
      <StrictMode>
        <SocketProvider socket={socket}>
          <Room tag="a" />
          <Room tag="b" />
        </SocketProvider>
      </StrictMode>,
    )
    nextTick()
    expect(sentOf(ws, '$join')).toHaveLength(1)
    expect(sentOf(ws, '$leave')).toEqual([])
    answerJoin(ws, { epoch: 'e1', offset: 4 })
    await settle()
    act(() => publish(ws, 5, 9))
    expect(view.getByTestId('a').textContent).toBe('joined 9 p7,p8,p9 p9')
    expect(view.getByTestId('b').textContent).toBe('joined 9 p7,p8,p9 p9')

    view.unmount()
    expect(sentOf(ws, '$leave')).toEqual([])
    nextTick()
    expect(sentOf(ws, '$leave')).toEqual([{ type: '$leave', data: { channel: 'room', sub: expect.any(String) } }])
    socket.dispose()
  })

  it('reports a refused join as status failed with JOIN_REFUSED', async () => {
    const { socket, ws } = await open()
    const { result } = renderHook(() => useChannel('room', undefined, socket))
    refuseJoin(ws)
    await settle()
    expect(result.current.status).toBe('failed')
    expect(result.current.error?.code).toBe('JOIN_REFUSED')
    socket.dispose()
  })

  it('publish resolves with the position, and a failure is no unhandled rejection', async () => {
    const { socket, ws } = await open()
    const { result } = renderHook(() => useChannel<string>('room', undefined, socket))
    const published = result.current.publish('hi')
    const [request] = sentOf(ws, '$publish')
    expect(request?.data).toEqual({ channel: 'room', data: 'hi' })
    ws.serverSend({ re: request?.id, data: { epoch: 'e1', offset: 1 } })
    await expect(published).resolves.toEqual({ epoch: 'e1', offset: 1 })

    const unhandled = vi.fn()
    process.on('unhandledRejection', unhandled)
    result.current.publish('again')
    ws.serverSend({ re: sentOf(ws, '$publish')[1]?.id, error: { code: 'PUBLISH_REFUSED' } })
    await settle()
    vi.useRealTimers() // the process reports unhandled rejections on a real turn
    await new Promise((resolve) => setImmediate(resolve))
    process.off('unhandledRejection', unhandled)
    vi.useFakeTimers()
    expect(unhandled).not.toHaveBeenCalled()
    socket.dispose()
  })

  it('shows the last gap once it happens, then what follows, and the position to store as since', async () => {
    const { socket, ws } = await open()
    const { result } = renderHook(() => useChannel<string>('room', undefined, socket))
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    act(() => publish(ws, 1, 2))
    expect(result.current.gap).toBeNull()

    act(() => publish(ws, 1, 1, 'e2')) // a new epoch: the channel rejoins from the last position delivered
    expect(lastJoin(ws).data.since).toEqual({ epoch: 'e1', offset: 2 })
    answerJoin(ws, { epoch: 'e2', offset: 5, gap: { reason: 'epoch', from: 1, to: 5 } })
    await settle()
    const { gap } = result.current
    expect(gap).toEqual({ reason: 'epoch', from: 1, to: 5 })
    act(() => publish(ws, 6, 6, 'e2'))
    expect(result.current).toMatchObject({ status: 'joined', epoch: 'e2', offset: 6, last: 'p6', recovered: false })
    expect(result.current.messages).toEqual(['p1', 'p2', 'p6'])
    expect(result.current.gap).toBe(gap) // the same object until the next gap

    // What a reload passes back: the next socket's join resumes there.
    const { epoch, offset } = result.current
    socket.dispose()
    const next = await open()
    renderHook(() => useChannel<string>('room', { since: { epoch: epoch as string, offset } }, next.socket))
    expect(lastJoin(next.ws).data.since).toEqual({ epoch: 'e2', offset: 6 })
    next.socket.dispose()
  })

  it('a new name follows the new channel and leaves the old one', async () => {
    const { socket, ws } = await open()
    const { rerender } = renderHook(({ name }) => useChannel(name, undefined, socket), {
      initialProps: { name: 'room' },
    })
    rerender({ name: 'lobby' })
    nextTick()
    expect(sentOf(ws, '$join').map((join) => join.data.channel)).toEqual(['room', 'lobby'])
    expect(sentOf(ws, '$leave')).toEqual([{ type: '$leave', data: { channel: 'room', sub: expect.any(String) } }])
    socket.dispose()
  })
})
