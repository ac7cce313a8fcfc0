import { connectShared } from '@lifeline/core/tabs'
import { fakeBrowser } from '@lifeline/test-support/fakeTabs'
import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { provideSocket, useLastMessage, useSocketState } from '../index.js'
import { FakeWebSocket, useFakes } from './helpers.js'

useFakes()

/** Lets the tabs' messages and lock grants run (each a task; 1 ms apiece under fake timers). */
async function tabsSettle() {
  for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(1)
  await nextTick()
}

const Live = defineComponent({
  setup() {
    const { status } = useSocketState()
    const chat = useLastMessage('chat')
    return () => h('output', `${status.value} ${chat.value ?? '-'}`)
  },
})

describe('a connectShared socket given with provideSocket', () => {
  it('gives every tab the connection’s status and its messages, unchanged', async () => {
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
      mount(
        defineComponent({
          setup() {
            provideSocket(socket)
            return () => h(Live)
          },
        }),
      ),
    )
    await tabsSettle()
    expect(FakeWebSocket.instances).toHaveLength(1)
    FakeWebSocket.last.serverOpen()
    await tabsSettle()
    FakeWebSocket.last.serverEmit('chat', 'hi')
    await tabsSettle()
    expect(views.map((v) => v.text())).toEqual(['open hi', 'open hi'])
    for (const view of views) view.unmount()
    for (const socket of tabs) socket.dispose()
  })
})
