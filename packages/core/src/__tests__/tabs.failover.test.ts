import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { IN_FLIGHT } from '../tabs/follower.js'
import { browser, links, received, serverOpens, settle } from './tabsHelpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** Three tabs on one open link; the first leads. */
async function three() {
  const group = browser()
  for (let i = 0; i < 3; i++) group.open()
  await settle()
  const ws = await serverOpens()
  const [leader, a, b] = group.tabs as [(typeof group.tabs)[0], (typeof group.tabs)[0], (typeof group.tabs)[0]]
  return { ...group, ws, leader, a, b }
}

describe('connectShared: when the leader goes', () => {
  it('another tab takes the lock and connects at once, without a backoff wait', async () => {
    const { ws, leader, a, b, tabs } = await three()
    leader.kill()
    expect(ws.closed).toBe(true)
    await settle() // 10 ms: a backoff would wait up to a second
    expect(FakeWebSocket.instances).toHaveLength(2)
    expect(links()).toHaveLength(1)
    const next = await serverOpens()
    expect([a, b].map((t) => t.socket.getSnapshot())).toEqual([
      expect.objectContaining({ status: 'open', leader: true, tabs: 2 }),
      expect.objectContaining({ status: 'open', leader: false, tabs: 2 }),
    ])
    // The followers saw the link go and come back, as with a socket of their own.
    expect(b.of('close')).toEqual([{ code: 1006, reason: '', wasClean: false, willReconnect: true }])
    expect(b.of('open')).toHaveLength(2)
    next.serverEmit('chat', 'after')
    await settle()
    expect(b.of('message')).toEqual([{ type: 'chat', data: 'after' }])
    for (const t of tabs) t.socket.dispose()
  })

  it('writes what followers sent while no leader existed once, in order, through the new leader', async () => {
    const { ws, leader, a, b, tabs } = await three()
    leader.kill()
    // The followers do not know yet: these go to a leader that is gone.
    a.socket.send('a', 1)
    b.socket.send('b', 1)
    await settle()
    a.socket.send('a', 2)
    b.socket.send('b', 2)
    const next = await serverOpens()
    a.socket.send('a', 3)
    await settle()
    expect(received(ws)).toEqual([])
    expect(received(next, 'a')).toEqual([1, 2, 3])
    expect(received(next, 'b')).toEqual([1, 2])
    for (const t of tabs) t.socket.dispose()
  })

  it('writes once what the old leader had queued and not written (its link was down)', async () => {
    const { ws, leader, a, b, tabs } = await three()
    ws.serverClose(1006)
    await settle()
    // The link is down: followers queue in their own socket; one frame raced the news to the leader.
    b.socket.send('b', 1)
    b.socket.send('b', 2)
    await settle()
    expect(b.socket.getSnapshot().queued).toBeGreaterThan(0)
    leader.kill()
    await settle()
    const next = await serverOpens()
    expect(received(next, 'b')).toEqual([1, 2])
    expect(a.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true, queued: 0 })
    for (const t of tabs) t.socket.dispose()
  })

  it('writes a frame that raced a dropped link once, when the same leader reconnects', async () => {
    const { ws, b, tabs } = await three()
    ws.serverClose(1006)
    // Before the follower hears of it: the leader's socket keeps the frame in its queue.
    b.socket.send('b', 1)
    await settle()
    await vi.advanceTimersByTimeAsync(5000) // the backoff (at most 1.8 s for the first retry)
    const next = await serverOpens()
    b.socket.send('b', 2)
    await settle()
    expect(received(next, 'b')).toEqual([1, 2])
    expect(b.socket.getSnapshot().queued).toBe(0)
    for (const t of tabs) t.socket.dispose()
  })

  it('writes once a frame that raced a dropped link when its leader dies before reconnecting', async () => {
    const { ws, leader, b, tabs } = await three()
    ws.serverClose(1006)
    b.socket.send('b', 1)
    await settle()
    leader.kill()
    await settle()
    const next = await serverOpens()
    expect(received(next, 'b')).toEqual([1])
    for (const t of tabs) t.socket.dispose()
  })

  it('resends a request awaiting its reply with the same id, and it settles once', async () => {
    const { ws, leader, b, tabs } = await three()
    const reply = b.socket.request('getUser', { id: '7' })
    await settle()
    const first = ws.messages.at(-1) as { id: string }
    leader.kill()
    await settle()
    const next = await serverOpens()
    const again = next.messages.filter((m) => (m as { type?: string }).type === 'getUser') as Array<{ id: string }>
    expect(again.map((m) => m.id)).toEqual([first.id])
    // A server that answers both (no dedupe) still settles the request once.
    next.serverSend({ re: first.id, data: 'Ada' })
    next.serverSend({ re: first.id, data: 'Ada again' })
    await settle()
    await expect(reply).resolves.toBe('Ada')
    expect(b.socket.getSnapshot().pending).toBe(0)
    for (const t of tabs) t.socket.dispose()
  })

  it('hands over when the leader calls close(): the old link closes first, the new one opens at once', async () => {
    const { ws, leader, a, b, tabs } = await three()
    leader.socket.close()
    expect(ws.closedWith).toEqual({ code: 1000, reason: 'leader left' })
    expect(leader.socket.getSnapshot()).toMatchObject({ status: 'closed', leader: false })
    // The other tabs were not told the connection closed: it carries on.
    expect(a.of('close').every((c) => (c as { willReconnect: boolean }).willReconnect)).toBe(true)
    await settle()
    const next = await serverOpens()
    expect(links()).toEqual([next])
    expect(a.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true, tabs: 2 })
    b.socket.send('b', 1)
    await settle()
    expect(received(next, 'b')).toEqual([1])
    for (const t of tabs) t.socket.dispose()
  })

  it('keeps the lock after close() until its link has closed, so two connections never overlap', async () => {
    const { ws, leader, a, tabs } = await three()
    ws.blackholed = true // the close handshake takes its time
    leader.socket.close()
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(1)
    ws.serverClose(1000, 'leader left')
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(2)
    await serverOpens()
    expect(a.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true })
    for (const t of tabs) t.socket.dispose()
  })

  it('lets go of the lock a second after close() when the server never answers the close', async () => {
    const { ws, leader, tabs } = await three()
    ws.blackholed = true
    leader.socket.close()
    await vi.advanceTimersByTimeAsync(990)
    expect(FakeWebSocket.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(10)
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(2)
    for (const t of tabs) t.socket.dispose()
  })

  it("drops the leader's own unwritten sends when it leaves, and only in its tab", async () => {
    const { ws, leader, a, tabs } = await three()
    ws.serverClose(1006)
    await settle()
    leader.socket.send('mine', 1)
    leader.socket.close()
    expect(leader.of('drop')).toEqual([{ type: 'mine', data: 1, reason: 'closed' }])
    expect(a.of('drop')).toEqual([])
    for (const t of tabs) t.socket.dispose()
  })

  it('survives the leader going twice in a row', async () => {
    const { leader, a, b, tabs } = await three()
    leader.kill()
    await settle()
    await serverOpens()
    a.kill()
    b.socket.send('b', 'still here')
    await settle()
    const third = await serverOpens()
    expect(received(third, 'b')).toEqual(['still here'])
    expect(b.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true, tabs: 1 })
    for (const t of tabs) t.socket.dispose()
    expect(links()).toEqual([])
  })

  it('after a crash, at most IN_FLIGHT of a tab’s frames arrive twice, and none is lost', async () => {
    const { ws, leader, b, tabs } = await three()
    // Everything written stays in the buffer: the server has it, the leader cannot know yet.
    Object.defineProperty(ws, 'bufferedAmount', { get: () => ws.sent.join('').length })
    for (let n = 0; n < 100; n++) b.socket.send('b', n)
    await settle()
    leader.crash()
    await settle()
    const next = await serverOpens()
    const all = [...(received(ws, 'b') as number[]), ...(received(next, 'b') as number[])]
    expect(new Set(all)).toEqual(new Set(Array.from({ length: 100 }, (_, n) => n)))
    expect(all.length - 100).toBeLessThanOrEqual(IN_FLIGHT)
    expect(received(next, 'b')).toEqual(
      Array.from({ length: 100 }, (_, n) => n).slice(100 - (received(next, 'b') as number[]).length),
    )
    for (const t of tabs) t.socket.dispose()
  })

  it('counts a follower that crashed out of the group', async () => {
    const { a, leader, tabs } = await three()
    a.kill()
    await settle()
    expect(leader.socket.getSnapshot().tabs).toBe(2)
    for (const t of tabs) t.socket.dispose()
  })
})
