// When the leader's page goes for good (closed, reloaded, navigated from), every send arrives once:
// the page stops writing for the other tabs at pagehide, before the tasks it may still run.

import { fakeBrowser } from '@lifeline/test-support/fakeTabs'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connectShared, type SharedSocket } from '../tabs/connectShared.js'
import { received, serverOpens, settle, URL } from './tabsHelpers.js'

/** The Web Lock the leader holds. */
const CHANNEL = `lifeline:${URL}`

/** The page whose code runs now (a lock callback); the global `addEventListener` is its window's. */
let running: EventTarget | null = null

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
  vi.stubGlobal('addEventListener', (...args: Parameters<EventTarget['addEventListener']>) => {
    if (!running) throw new Error('addEventListener called outside a page')
    running.addEventListener(...args)
  })
})
afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

/**
 * A tab whose page goes as a closed page goes in Chromium: `pagehide` fires, then the page may
 * still run a few tasks (a message from another tab, say), whose WebSocket writes reach the server
 * while what they post to the other tabs never arrives; then the browser frees its locks and
 * closes its WebSocket.
 */
function page(profile: ReturnType<typeof fakeBrowser>) {
  const fake = profile.tab()
  const window = new EventTarget()
  let hidden = false
  let hideWhenGranted = false
  const socket: SharedSocket = connectShared(URL, {
    WebSocket: FakeWebSocket,
    browserEvents: false,
    // The lock callbacks run as this page's code: connectShared listens for pagehide there.
    locks: {
      request: (name, options, callback) =>
        fake.locks.request(name, options, (lock) => {
          running = window
          try {
            return callback(lock)
          } finally {
            running = null
            if (hideWhenGranted && name === CHANNEL) self.hide()
          }
        }),
    },
    BroadcastChannel: class extends fake.BroadcastChannel {
      override postMessage(message: unknown) {
        if (!hidden) super.postMessage(message)
      }
    },
  })
  const fire = (type: string, persisted: boolean) => window.dispatchEvent(Object.assign(new Event(type), { persisted }))
  const self = {
    socket,
    /** `pagehide` for a page that goes for good: from now on, what it posts to other tabs is lost. */
    hide() {
      hidden = true
      fire('pagehide', false)
    },
    /** The page is gone. */
    gone() {
      fake.kill()
      socket.dispose()
    },
    /** The page goes into the back-forward cache, and comes back. */
    cache() {
      fire('pagehide', true)
      fire('pageshow', true)
    },
    /** The page goes as soon as it is granted the channel's lock, before it takes the lead. */
    hideWhenGranted() {
      hideWhenGranted = true
    },
  }
  return self
}
type Page = ReturnType<typeof page>

async function threePages() {
  const profile = fakeBrowser()
  const pages = [page(profile), page(profile), page(profile)]
  await settle()
  const ws = await serverOpens()
  const [leader, a, b] = pages as [Page, Page, Page]
  expect(leader.socket.getSnapshot().leader).toBe(true)
  return { pages, ws, leader, a, b }
}

describe('connectShared: when the leader page goes', () => {
  it('writes each send once: it closes its link at pagehide, and what reaches it after, the next leader writes', async () => {
    const { pages, ws, leader, a, b } = await threePages()
    a.socket.send('a', 1)
    await settle()
    // The leaving page's own sends from a pagehide handler that ran before connectShared's go out on its link.
    expect(leader.socket.send('bye', 1)).toBe('sent')
    leader.hide()
    // Sent as the leader page goes: these reach it after its pagehide.
    a.socket.send('a', 2)
    b.socket.send('b', 1)
    // The link closed at pagehide, before the page lets go of the lock: from then on its own sends wait.
    expect(ws.closedWith).toEqual({ code: 1000, reason: 'leader left' })
    expect(leader.socket.send('bye', 2)).toBe('queued')
    await settle()
    leader.gone()
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(2)
    const next = await serverOpens()
    a.socket.send('a', 3)
    await settle()
    // Each send once, in order, over the two links: the leaving page wrote none of the other tabs' after pagehide.
    expect([received(ws, 'a'), received(next, 'a')]).toEqual([[1], [2, 3]])
    expect([received(ws, 'b'), received(next, 'b')]).toEqual([[], [1]])
    expect(received(ws, 'bye')).toEqual([1])
    expect(a.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true, tabs: 2 })
    for (const p of pages) p.socket.dispose()
  })

  it('closes its link at pagehide when the link holds frames of other tabs it has not written yet', async () => {
    const { pages, ws, leader, a, b } = await threePages()
    // The link is backed up: the leader's socket keeps what it is given until the link drains.
    const backedUp = ws as FakeWebSocket & { bufferedAmount: number }
    backedUp.bufferedAmount = 2 * 1_048_576
    b.socket.send('b', 1)
    await settle()
    leader.hide()
    backedUp.bufferedAmount = 0
    // The page lives on a little: its socket would write the frame as the link drains, unacknowledged.
    await vi.advanceTimersByTimeAsync(1000)
    const bye = leader.socket.send('bye', 1)
    leader.gone()
    await settle()
    const next = await serverOpens()
    expect([received(ws, 'b'), received(next, 'b')]).toEqual([[], [1]])
    // The leaving page closed its link at pagehide; its own sends from then on waited in its queue.
    expect(ws.closedWith).toEqual({ code: 1000, reason: 'leader left' })
    expect(bye).toBe('queued')
    expect(a.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true })
    for (const p of pages) p.socket.dispose()
  })

  it('does not lead when its page goes after it was granted the lock and before it took the lead', async () => {
    const { pages, ws, leader, a, b } = await threePages()
    a.hideWhenGranted()
    leader.gone()
    await settle()
    a.socket.send('a', 1)
    b.socket.send('b', 1)
    await settle()
    // A page that is going does not connect for the others.
    expect(FakeWebSocket.instances).toHaveLength(1)
    a.gone()
    await settle()
    const next = await serverOpens()
    b.socket.send('b', 2)
    await settle()
    expect(received(next, 'b')).toEqual([1, 2])
    expect(received(ws, 'b')).toEqual([])
    expect(b.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true, tabs: 1 })
    for (const p of pages) p.socket.dispose()
  })

  it('keeps leading when its page goes into the back-forward cache and comes back', async () => {
    const { pages, ws, leader, a } = await threePages()
    leader.cache()
    a.socket.send('a', 1)
    await settle()
    expect(ws.closed).toBe(false)
    expect(received(ws, 'a')).toEqual([1])
    expect(leader.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true, tabs: 3 })
    for (const p of pages) p.socket.dispose()
  })
})
