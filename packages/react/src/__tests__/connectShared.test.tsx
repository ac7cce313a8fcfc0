import { connectShared } from '@lifeline/core/tabs'
import { fakeBrowser } from '@lifeline/test-support/fakeTabs'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, render } from '@testing-library/react'
import { useState } from 'react'
import { describe, expect, it, vi } from 'vitest'
import { SocketProvider, useSocketEvent, useSocketState } from '../index.js'
import { installHarness } from './harness.js'

installHarness()

/** Lets the tabs' messages and lock grants run (each a task; 1 ms apiece under fake timers). */
const tabsSettle = () =>
  act(async () => {
    for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(1)
  })

function Live() {
  const { status } = useSocketState()
  const [chat, setChat] = useState('-')
  useSocketEvent('chat', (text: unknown) => setChat(String(text)))
  return <output>{`${status} ${chat}`}</output>
}

describe('a connectShared socket in <SocketProvider socket>', () => {
  it('gives every tab the connection’s status and every message, unchanged', async () => {
    const profile = fakeBrowser()
    const tabs = [profile.tab(), profile.tab()].map((fake) =>
      connectShared('wss://example.test/live', {
        WebSocket: FakeWebSocket,
        browserEvents: false,
        locks: fake.locks,
        BroadcastChannel: fake.BroadcastChannel,
      }),
    )
    const views = tabs.map((socket) =>
      render(
        <SocketProvider socket={socket}>
          <Live />
        </SocketProvider>,
      ),
    )
    await tabsSettle()
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(views.map((v) => v.container.textContent)).toEqual(['connecting -', 'connecting -'])
    FakeWebSocket.last.serverOpen()
    await tabsSettle()
    expect(views.map((v) => v.container.textContent)).toEqual(['open -', 'open -'])
    act(() => FakeWebSocket.last.serverEmit('chat', 'hi'))
    await tabsSettle()
    expect(views.map((v) => v.container.textContent)).toEqual(['open hi', 'open hi'])
    for (const socket of tabs) act(() => socket.dispose())
  })
})
