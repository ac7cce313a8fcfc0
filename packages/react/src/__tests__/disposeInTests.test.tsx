// A test that disposes its socket while components using it are mounted, under React's act
// environment (on for a whole file when Testing Library runs with test globals: Jest, or vitest with
// `globals: true`). The guide's patterns, unmount first or dispose inside `act`, leave React
// nothing to report.
import { connect } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act, cleanup, render } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SocketProvider, useSocketState } from '../index.js'
import { installHarness } from './harness.js'

installHarness()

const actEnvironment = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }
let errors: unknown[][] = []
beforeEach(() => {
  actEnvironment.IS_REACT_ACT_ENVIRONMENT = true
  errors = []
  vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args))
})
afterEach(() => {
  vi.restoreAllMocks()
  delete actEnvironment.IS_REACT_ACT_ENVIRONMENT
})

function Status() {
  return <p role="status">{useSocketState().status}</p>
}

/** An open socket with a component that shows its status. */
function mounted() {
  const socket = connect('wss://example.test/dispose', { WebSocket: FakeWebSocket, browserEvents: false })
  const view = render(
    <SocketProvider socket={socket}>
      <Status />
    </SocketProvider>,
  )
  act(() => FakeWebSocket.last.serverOpen())
  expect(view.getByRole('status').textContent).toBe('open')
  return { socket, view }
}

describe('disposing a socket at the end of a test', () => {
  it('after the components unmount (cleanup): nothing to report', () => {
    const { socket } = mounted()
    cleanup()
    socket.dispose()
    expect(errors).toEqual([])
  })

  it('inside act while they are mounted: nothing to report, and they show it closed', () => {
    const { socket, view } = mounted()
    act(() => socket.dispose())
    expect(view.getByRole('status').textContent).toBe('closed')
    expect(errors).toEqual([])
  })
})
