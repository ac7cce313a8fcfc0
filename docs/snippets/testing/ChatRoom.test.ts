// A sample of docs/testing.md, run by `npm test` (the docs project): the Vue chat component against
// the test server, under fake timers.
// #region vue-test
// ChatRoom.test.ts
import { connect } from '@lifeline/core'
import { createTestServer, type TestServer } from '@lifeline/testing'
import { createLifeline } from '@lifeline/vue'
import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import ChatRoom from './ChatRoom.vue'
import type { Incoming, Outgoing } from './chat'

let server: TestServer
beforeEach(() => {
  vi.useFakeTimers()
  server = createTestServer()
})
afterEach(() => {
  server.stop()
  vi.useRealTimers()
})

function mountChat() {
  const socket = connect<Incoming, Outgoing>(server.url, {
    WebSocket: server.WebSocket,
    reconnect: { initialDelay: 1000, jitter: 'none' }, // exact delays
  })
  const wrapper = mount(ChatRoom, { global: { plugins: [createLifeline(socket)] } })
  return { socket, wrapper }
}

it('shows what the server sends and sends what is typed', async () => {
  const { socket, wrapper } = mountChat()
  await server.waitForConnection() // no timer to advance: the test server needs none
  server.send('chat', { from: 'Ada', text: 'hello' })
  await nextTick()
  expect(wrapper.get('li').text()).toBe('Ada: hello')

  await wrapper.get('input').setValue('hi Ada')
  await wrapper.get('form').trigger('submit')
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'hi Ada' })
  wrapper.unmount()
  socket.dispose()
})

it('keeps what is typed during a restart and sends it after the retry delay', async () => {
  const { socket, wrapper } = mountChat()
  await server.waitForConnection()

  await server.close(1012, 'restart')
  await nextTick()
  expect(wrapper.get('[role="status"]').text()).toBe('reconnecting')
  await wrapper.get('input').setValue('sent while down')
  await wrapper.get('form').trigger('submit')

  await vi.advanceTimersByTimeAsync(1000) // the retry delay: only Lifeline's own timer is fake
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'sent while down' })
  expect(wrapper.get('[role="status"]').text()).toBe('open')
  wrapper.unmount()
  socket.dispose()
  expect(vi.getTimerCount()).toBe(0) // nothing left behind
})
// #endregion
