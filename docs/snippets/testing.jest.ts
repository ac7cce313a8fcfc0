// A sample of docs/testing.md: the restart test of the guide, written for Jest. The same steps run
// under Jest in `npm test` (packages/testing/jest).
// #region jest
import { afterEach, beforeEach, expect, it, jest } from '@jest/globals'
import { connect } from '@lifeline/core'
import { createTestServer, type TestServer } from '@lifeline/testing'

let server: TestServer
beforeEach(() => {
  jest.useFakeTimers() // modern fake timers, Jest's default kind
  server = createTestServer()
})
afterEach(() => {
  server.stop()
  jest.useRealTimers()
})

it('comes back after a restart', async () => {
  const socket = connect(server.url, { WebSocket: server.WebSocket, reconnect: { initialDelay: 100, jitter: 'none' } })
  await server.waitForConnection()
  await server.close(1012, 'restart')
  socket.send('chat', { text: 'while down' })

  await jest.advanceTimersByTimeAsync(100)
  await server.waitForConnection()
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'while down' })
  socket.dispose()
})
// #endregion
