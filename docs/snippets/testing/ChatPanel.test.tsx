// A sample of docs/testing.md, run by `npm test` (the docs project): the React chat component against
// the test server, with real timers.
// #region react-test
// ChatPanel.test.tsx
import { connect, type Socket } from '@lifeline/core'
import { SocketProvider } from '@lifeline/react'
import { createTestServer, type TestServer } from '@lifeline/testing'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { ChatPanel } from './ChatPanel'
import type { Incoming, Outgoing } from './chat'

let server: TestServer<Outgoing, Incoming>
let socket: Socket<Incoming, Outgoing>
beforeEach(() => {
  server = createTestServer<Outgoing, Incoming>()
  socket = connect<Incoming, Outgoing>(server.url, {
    WebSocket: server.WebSocket,
    reconnect: { initialDelay: 10, jitter: 'none' }, // a short, exact retry delay
  })
})
afterEach(() => {
  cleanup() // unmount first, then dispose: the hooks see no update outside act
  socket.dispose()
  server.stop()
})

function renderChat() {
  render(
    <SocketProvider socket={socket}>
      <ChatPanel />
    </SocketProvider>,
  )
}

it('shows what the server sends and sends what is typed', async () => {
  renderChat()
  await act(() => server.waitForConnection())
  expect(screen.getByRole('status').textContent).toBe('open')

  act(() => server.send('chat', { from: 'Ada', text: 'hello' }))
  expect(screen.getByText('Ada: hello')).toBeTruthy()

  fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'hi Ada' } })
  fireEvent.click(screen.getByText('Send'))
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'hi Ada' })
})

it('says it is reconnecting, and sends what was typed meanwhile once back', async () => {
  renderChat()
  await act(() => server.waitForConnection())

  await act(() => server.close(1012, 'restart'))
  expect(screen.getByRole('status').textContent).toBe('reconnecting')
  fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'sent while down' } })
  fireEvent.click(screen.getByText('Send'))

  await act(() => server.waitForConnection())
  // Inside act: the socket's state changes while the message goes out, and React renders them.
  const message = await act(() => server.waitForMessage('chat'))
  expect(message.data).toEqual({ text: 'sent while down' })
  expect(screen.getByRole('status').textContent).toBe('open')
})
// #endregion
