import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { release, retain, sharedEntry } from '../adapters/socketRegistry.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.runOnlyPendingTimers()
  vi.useRealTimers()
})

const options = { WebSocket: FakeWebSocket, browserEvents: false }

describe('socketRegistry', () => {
  it('creates sockets idle during render; only retain connects', () => {
    const entry = sharedEntry('wss://example.test/registry-a', options)
    expect(entry.socket.getSnapshot().status).toBe('idle')
    expect(sharedEntry('wss://example.test/registry-a', { ...options })).toBe(entry)
    expect(FakeWebSocket.instances).toHaveLength(0)
    const live = retain(entry)
    expect(live).toBe(entry)
    expect(FakeWebSocket.instances).toHaveLength(1)
    release(live)
    vi.advanceTimersByTime(0)
    expect(entry.socket.getSnapshot().status).toBe('closed')
  })

  it('forgets a socket no render committed, without having connected it, and takes it back on a late commit', () => {
    const entry = sharedEntry('wss://example.test/registry-b', options)
    vi.advanceTimersByTime(0)
    expect(sharedEntry('wss://example.test/registry-b', options)).not.toBe(entry)
    vi.advanceTimersByTime(0)
    expect(retain(entry)).toBe(entry) // a late commit of the first render
    expect(FakeWebSocket.instances).toHaveLength(1)
    release(entry)
  })

  it('replaces a socket disposed before a late commit', () => {
    const entry = sharedEntry('wss://example.test/registry-c', options)
    release(retain(entry))
    vi.advanceTimersByTime(0)
    const live = retain(entry)
    expect(live).not.toBe(entry)
    expect(live.socket.getSnapshot().status).toBe('connecting')
    expect(FakeWebSocket.instances).toHaveLength(2)
    release(live)
  })

  it('keeps no timer once every socket is released and disposed', () => {
    const entry = retain(sharedEntry('wss://example.test/registry-d', options))
    FakeWebSocket.last.serverOpen()
    release(entry)
    vi.advanceTimersByTime(0)
    expect(vi.getTimerCount()).toBe(0)
  })
})
