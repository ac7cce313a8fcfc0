// A shared socket's own listeners (`subscribe`, and the `state`, `reconnecting`, `latency` and
// `error` events it emits itself) are a set: one removed while a notification runs is not called by it.

import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { browser, serverOpens, settle } from './tabsHelpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('connectShared: listeners', () => {
  it('does not call a subscribe() listener that an earlier one unsubscribed during the same notification', async () => {
    const { tabs, open } = browser()
    const { socket } = open()
    await settle()
    const calls: string[] = []
    let offSecond = () => {}
    const offFirst = socket.subscribe(() => {
      calls.push('first')
      offSecond()
    })
    offSecond = socket.subscribe(() => calls.push('second'))
    await serverOpens()
    expect(calls[0]).toBe('first')
    expect(calls).not.toContain('second')
    offFirst()
    for (const t of tabs) t.socket.dispose()
  })

  it('does not call an event listener that an earlier one removed during the same event', async () => {
    const { tabs, open } = browser()
    const { socket } = open()
    await settle()
    const calls: string[] = []
    const second = () => calls.push('second')
    socket.on('state', () => {
      calls.push('first')
      socket.off('state', second)
    })
    socket.on('state', second)
    await serverOpens()
    expect(calls[0]).toBe('first')
    expect(calls).not.toContain('second')
    for (const t of tabs) t.socket.dispose()
  })
})
