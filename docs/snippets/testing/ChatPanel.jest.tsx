// A sample of docs/testing.md: the React chat component under Jest, jsdom and ts-jest, with the
// configuration the guide gives. `npm test` runs it with Jest (packages/testing/src/__tests__/jest.jsdom.test.ts).
// #region jest-react-test
// ChatPanel.test.tsx
import { afterEach, beforeEach, expect, it, jest } from '@jest/globals'
import { connect, type Socket } from '@lifeline/core'
import { SocketProvider } from '@lifeline/react'
import { createTestServer, type TestServer } from '@lifeline/testing'
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { ChatPanel } from './ChatPanel'
import type { Incoming, Outgoing } from './chat'

let server: TestServer<Outgoing, Incoming>
let socket: Socket<Incoming, Outgoing>
beforeEach(() => {
  jest.useFakeTimers()
  server = createTestServer<Outgoing, Incoming>()
  socket = connect<Incoming, Outgoing>(server.url, {
    WebSocket: server.WebSocket,
    reconnect: { initialDelay: 100, jitter: 'none' }, // exact delays
  })
})
afterEach(() => {
  cleanup() // unmount first, then dispose: the hooks see no update outside act
  socket.dispose()
  server.stop()
  jest.useRealTimers()
})

/** Renders the panel and waits for the connection, in `act`: opening updates the status it shows. */
async function renderChat() {
  render(
    <SocketProvider socket={socket}>
      <ChatPanel />
    </SocketProvider>,
  )
  await act(() => server.waitForConnection())
}

it('shows what the server sends and sends what is typed', async () => {
  await renderChat()
  expect(screen.getByRole('status').textContent).toBe('open')
  act(() => server.send('chat', { from: 'Ada', text: 'hello' }))
  expect(screen.getByText('Ada: hello')).toBeTruthy()

  fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'hi Ada' } })
  fireEvent.click(screen.getByText('Send'))
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'hi Ada' })
})

it('keeps what is typed during a restart and sends it after the retry delay', async () => {
  await renderChat()
  await act(() => server.close(1012, 'restart'))
  expect(screen.getByRole('status').textContent).toBe('reconnecting')
  fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'sent while down' } })
  fireEvent.click(screen.getByText('Send')) // queued: the link is down

  await act(() => jest.advanceTimersByTimeAsync(100)) // the retry delay
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'sent while down' })
  expect(screen.getByRole('status').textContent).toBe('open')
})
// #endregion
