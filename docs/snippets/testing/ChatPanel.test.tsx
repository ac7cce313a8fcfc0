// A sample of docs/testing.md, run by `npm test` (the docs project): the React chat component against
// the test server, with real timers.
// #region react-test
// ChatPanel.test.tsx
import { connect } from '@lifeline/core'
import { SocketProvider } from '@lifeline/react'
import { createTestServer, type TestServer } from '@lifeline/testing'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { ChatPanel } from './ChatPanel'
import type { Incoming, Outgoing } from './chat'

let server: TestServer
beforeEach(() => {
  server = createTestServer()
})
afterEach(() => {
  cleanup()
  server.stop()
})

function renderChat() {
  const socket = connect<Incoming, Outgoing>(server.url, {
    WebSocket: server.WebSocket,
    reconnect: { initialDelay: 10, jitter: 'none' }, // a short, exact retry delay
  })
  render(
    <SocketProvider socket={socket}>
      <ChatPanel />
    </SocketProvider>,
  )
  return socket
}

it('shows what the server sends and sends what is typed', async () => {
  const socket = renderChat()
  await act(() => server.waitForConnection())
  expect(screen.getByRole('status').textContent).toBe('open')

  act(() => server.send('chat', { from: 'Ada', text: 'hello' }))
  expect(screen.getByText('Ada: hello')).toBeTruthy()

  fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'hi Ada' } })
  fireEvent.click(screen.getByText('Send'))
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'hi Ada' })
  socket.dispose()
})

it('says it is reconnecting, and sends what was typed meanwhile once back', async () => {
  const socket = renderChat()
  await act(() => server.waitForConnection())

  await act(() => server.close(1012, 'restart'))
  expect(screen.getByRole('status').textContent).toBe('reconnecting')
  fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'sent while down' } })
  fireEvent.click(screen.getByText('Send'))

  await act(() => server.waitForConnection())
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'sent while down' })
  expect(screen.getByRole('status').textContent).toBe('open')
  socket.dispose()
})
// #endregion
