// A follower's request that settled without a reply (aborted, timed out) is never executed later:
// the leader drops it if it has not written it, and no next leader is handed it.

import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { browser, received, serverOpens, settle } from './tabsHelpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Three tabs on one open link whose send buffer is full: the leader holds what the tabs write. */
async function congested() {
  const group = browser()
  for (let i = 0; i < 3; i++) group.open()
  await settle()
  const ws = await serverOpens()
  Object.assign(ws, { bufferedAmount: 2 * 1024 * 1024 })
  const [leader, a, b] = group.tabs as [(typeof group.tabs)[0], (typeof group.tabs)[0], (typeof group.tabs)[0]]
  return { ...group, ws, leader, a, b }
}

const code = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: { code: string }) => error.code,
  )

describe('connectShared: a request settled in its tab before the leader wrote it', () => {
  it('is not written once the link drains, when it was aborted', async () => {
    const { ws, b, tabs } = await congested()
    const abort = new AbortController()
    const asked = code(b.socket.request('charge', { cents: 100 }, { signal: abort.signal }))
    b.socket.send('after', 1)
    await settle()
    abort.abort()
    await expect(asked).resolves.toBe('REQUEST_ABORTED')
    await settle()
    Object.assign(ws, { bufferedAmount: 0 })
    await settle()
    expect(received(ws, 'charge')).toEqual([])
    expect(received(ws, 'after')).toEqual([1])
    for (const t of tabs) t.socket.dispose()
  })

  for (const ending of ['close', 'kill'] as const) {
    it(`is not written by the next leader when the leader ${ending === 'close' ? 'calls close()' : 'dies'}, aborted or timed out`, async () => {
      const { ws, leader, a, b, tabs } = await congested()
      const abort = new AbortController()
      const aborted = code(b.socket.request('charge', { cents: 1 }, { signal: abort.signal }))
      const timedOut = code(a.socket.request('charge', { cents: 2 }, { timeout: 1000 }))
      b.socket.send('after', 1)
      await settle()
      abort.abort()
      await vi.advanceTimersByTimeAsync(1000)
      await expect(aborted).resolves.toBe('REQUEST_ABORTED')
      await expect(timedOut).resolves.toBe('REQUEST_TIMEOUT')
      // Settled, in the tab and then at the leader, before the handover.
      await settle()
      if (ending === 'close') leader.socket.close()
      else leader.kill()
      await settle()
      const next = await serverOpens()
      a.socket.send('after', 2)
      await settle()
      expect([received(ws, 'charge'), received(next, 'charge')]).toEqual([[], []])
      expect(received(next, 'after')).toEqual([1, 2])
      for (const t of tabs) t.socket.dispose()
    })
  }

  it('is not written by the next leader when the leader died before it heard of the abort', async () => {
    const { ws, leader, b, tabs } = await congested()
    const abort = new AbortController()
    const asked = code(b.socket.request('charge', { cents: 3 }, { signal: abort.signal }))
    b.socket.send('after', 1)
    await settle()
    leader.crash()
    abort.abort()
    await expect(asked).resolves.toBe('REQUEST_ABORTED')
    await settle()
    const next = await serverOpens()
    await settle()
    expect([received(ws, 'charge'), received(next, 'charge')]).toEqual([[], []])
    expect(received(next, 'after')).toEqual([1])
    for (const t of tabs) t.socket.dispose()
  })

  it('still writes a request awaiting its reply to the next leader, once, with its id', async () => {
    const { ws, leader, b, tabs } = await congested()
    const asked = b.socket.request('charge', { cents: 4 })
    await settle()
    leader.kill()
    await settle()
    const next = await serverOpens()
    await settle()
    const charges = next.messages.filter((m) => (m as { type?: string }).type === 'charge') as Array<{ id: string }>
    expect(received(ws, 'charge')).toEqual([])
    expect(charges.length).toBeGreaterThan(0)
    expect(new Set(charges.map((m) => m.id)).size).toBe(1)
    next.serverSend({ re: charges[0]?.id, data: 'ok' })
    await settle()
    await expect(asked).resolves.toBe('ok')
    for (const t of tabs) t.socket.dispose()
  })
})
