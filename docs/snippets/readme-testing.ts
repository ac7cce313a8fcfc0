// The samples of packages/testing/README.md, the page npm shows. Each region is pasted into it as it is.
// #region test
import { connect } from '@lifeline/core'
import { createTestServer } from '@lifeline/testing'
import { expect, it, vi } from 'vitest'

it('sends the chat message', async () => {
  const server = createTestServer()
  const socket = connect(server.url, { WebSocket: server.WebSocket })
  await server.waitForConnection()
  socket.send('chat', { text: 'hi' })
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'hi' })
  socket.dispose()
  server.stop()
})
// #endregion

export async function fakeTimers(server: ReturnType<typeof createTestServer>) {
  // #region fake-timers
  vi.useFakeTimers() // or jest.useFakeTimers()
  await server.close(1012, 'restart')
  await vi.advanceTimersByTimeAsync(1000) // the reconnect delay
  await server.waitForConnection()
  // #endregion
}
