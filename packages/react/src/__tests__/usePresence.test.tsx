import { connect, type Socket } from '@lifeline/core'
import { answerJoin, lastJoin, sentOf } from '@lifeline/test-support/channelsHelpers'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, render, renderHook } from '@testing-library/react'
import { StrictMode } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { SocketProvider, useChannel, usePresence } from '../index.js'
import { installHarness, nextTick, settle } from './harness.js'

installHarness()

async function open(): Promise<{ socket: Socket; ws: FakeWebSocket }> {
  const socket = connect('wss://example.test/presence', { WebSocket: FakeWebSocket, browserEvents: false })
  const ws = FakeWebSocket.last
  ws.serverOpen()
  await settle()
  return { socket, ws }
}

const ann = { id: 'ann', data: { name: 'Ann' } }
const bob = { id: 'bob', data: { name: 'Bob' } }

function WhoIsHere() {
  const { members, count } = usePresence<{ name: string }>('room')
  return <p data-testid="here">{`${count}: ${members.map((member) => member.data.name).join(',')}`}</p>
}

describe('usePresence', () => {
  it('shows the members from the join answer, then each join and leave', async () => {
    const { socket, ws } = await open()
    const { result } = renderHook(() => usePresence('room', undefined, socket))
    expect(result.current).toEqual({ members: [], count: 0 })
    expect(lastJoin(ws).data.presence).toBe('list')
    answerJoin(ws, { epoch: 'e1', offset: 0, members: [ann] })
    await settle()
    expect(result.current).toEqual({ members: [ann], count: 1 })
    const before = result.current
    act(() => ws.serverSend({ pr: 'room', j: [bob], l: ['ann'] }))
    expect(result.current).toEqual({ members: [bob], count: 1 })
    expect(result.current).not.toBe(before)
    socket.dispose()
  })

  it('shares one join with useChannel of the same name; StrictMode neither leaves nor joins again', async () => {
    const { socket, ws } = await open()
    function Room() {
      useChannel('room')
      return <WhoIsHere />
    }
    const view = render(
      <StrictMode>
        <SocketProvider socket={socket}>
          <Room />
        </SocketProvider>
      </StrictMode>,
    )
    nextTick()
    expect(sentOf(ws, '$join').map((join) => join.data.presence)).toEqual(['list'])
    answerJoin(ws, { epoch: 'e1', offset: 0, members: [ann, bob] })
    await settle()
    expect(view.getByTestId('here').textContent).toBe('2: Ann,Bob')
    view.unmount()
    nextTick()
    expect(sentOf(ws, '$leave')).toHaveLength(1)
    socket.dispose()
  })

  it('keeps only the count with countOnly', async () => {
    const { socket, ws } = await open()
    const { result } = renderHook(() => usePresence('stadium', { countOnly: true }, socket))
    expect(lastJoin(ws).data.presence).toBe('count')
    answerJoin(ws, { epoch: 'e1', offset: 0, count: 12_000 })
    await settle()
    act(() => ws.serverSend({ pr: 'stadium', n: 12_001 }))
    expect(result.current).toEqual({ members: [], count: 12_001 })
    socket.dispose()
  })

  it('renders nobody on the server, joining nothing', () => {
    const socket = connect('wss://example.test/presence', { WebSocket: FakeWebSocket, browserEvents: false })
    const html = renderToString(
      <SocketProvider socket={socket}>
        <WhoIsHere />
      </SocketProvider>,
    )
    expect(html).toContain('0: ')
    socket.dispose()
  })
})
