import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { act } from '@testing-library/react'
import { hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { useSocket, useSocketState } from '../index.js'
import { installHarness } from './harness.js'

installHarness()

let root: Root | undefined
afterEach(() => {
  act(() => root?.unmount())
  root = undefined
})

function Status() {
  const socket = useSocket('wss://example.test/hydrate', { WebSocket: FakeWebSocket, browserEvents: false })
  return <p>{useSocketState(socket).status}</p>
}

describe('hydration', () => {
  it('hydrates the idle server HTML without a mismatch, then connects once', () => {
    const container = document.createElement('div')
    container.innerHTML = renderToString(<Status />)
    expect(container.innerHTML).toBe('<p>idle</p>')
    expect(FakeWebSocket.instances).toHaveLength(0)
    const onRecoverableError = vi.fn()
    act(() => {
      root = hydrateRoot(container, <Status />, { onRecoverableError })
    })
    expect(onRecoverableError).not.toHaveBeenCalled()
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(container.innerHTML).toBe('<p>connecting</p>')
    act(() => FakeWebSocket.last.serverOpen())
    expect(container.innerHTML).toBe('<p>open</p>')
  })
})
