// A tab the browser freezes (a background tab, a page going into the back-forward cache) cannot
// run: it must not be the one the lock goes to, nor keep leading, or every tab waits for it to thaw.

import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { browser, links, received, serverOpens, settle, type Tab } from './tabsHelpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A page's window and document, where the browser fires `freeze` and `resume`. */
function page() {
  const document = Object.assign(new EventTarget(), { visibilityState: 'hidden' })
  return Object.assign(new EventTarget(), { document })
}

/** Three tabs on one open link, each with its own page; the first leads, the second is next in line. */
async function three() {
  const group = browser()
  const pages = [page(), page(), page()]
  for (const win of pages) group.open({ browserEvents: win })
  await settle()
  const ws = await serverOpens()
  const [leader, next, last] = group.tabs as [Tab, Tab, Tab]
  /** The browser freezes the tab: `freeze` fires on its document, then it runs nothing more. */
  const freeze = (tab: Tab) => {
    pages[group.tabs.indexOf(tab)]?.document.dispatchEvent(new Event('freeze'))
    tab.fake.freeze()
  }
  /** The tab runs again: `resume` fires, then what came for it meanwhile. */
  const resume = (tab: Tab) => {
    tab.fake.resume()
    pages[group.tabs.indexOf(tab)]?.document.dispatchEvent(new Event('resume'))
  }
  return { ...group, ws, leader, next, last, freeze, resume }
}

describe('connectShared: a frozen tab', () => {
  it('is passed over when the leader goes: the next tab leads at once and its sends go out', async () => {
    const { ws, leader, next, last, tabs, freeze, resume } = await three()
    freeze(next)
    leader.kill()
    await settle()
    last.socket.send('last', 1)
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(2)
    const link = await serverOpens()
    last.socket.send('last', 2)
    await settle()
    expect(received(link, 'last')).toEqual([1, 2])
    expect(received(ws, 'last')).toEqual([])
    expect(last.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true })

    // Thawed, it follows the new leader: what it sent while frozen goes out, once.
    next.socket.send('next', 1)
    resume(next)
    await settle()
    next.socket.send('next', 2)
    await settle()
    expect(received(link, 'next')).toEqual([1, 2])
    expect(links()).toEqual([link])
    expect(next.socket.getSnapshot()).toMatchObject({ status: 'open', leader: false, tabs: 2 })
    for (const t of tabs) t.socket.dispose()
  })

  it('hands over when it led: its link closes, the next tab connects at once', async () => {
    const { ws, leader, next, last, tabs, freeze, resume } = await three()
    freeze(leader)
    expect(ws.closedWith).toEqual({ code: 1000, reason: 'leader left' })
    await settle()
    const link = await serverOpens()
    last.socket.send('last', 1)
    await settle()
    expect(received(link, 'last')).toEqual([1])
    // The frozen tab is not heard from until it thaws.
    expect(next.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true, tabs: 2 })

    resume(leader)
    await settle()
    leader.socket.send('old', 1)
    await settle()
    expect(received(link, 'old')).toEqual([1])
    expect(leader.socket.getSnapshot()).toMatchObject({ status: 'open', leader: false, tabs: 3 })
    // Back in line: it leads again when its turn comes.
    next.kill()
    last.kill()
    await settle()
    const third = await serverOpens()
    leader.socket.send('old', 2)
    await settle()
    expect(received(third, 'old')).toEqual([2])
    expect(leader.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true, tabs: 1 })
    for (const t of tabs) t.socket.dispose()
  })
})
