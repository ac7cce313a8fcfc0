import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connectShared } from '../tabs/connectShared.js'
import { browser, links, received, serverOpens, settle, URL } from './tabsHelpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('connectShared: one connection for every tab', () => {
  it('is plain connect where Web Locks or BroadcastChannel are missing (Node)', async () => {
    const socket = connectShared(URL, { WebSocket: FakeWebSocket, browserEvents: false, channel: 'alone' })
    expect(FakeWebSocket.instances).toHaveLength(1)
    const ws = await serverOpens()
    expect(socket.send('chat', 'hi')).toBe('sent')
    expect(received(ws)).toEqual(['hi'])
    // connect's own socket: its snapshot has no leader or tabs (read them as true and 1).
    expect(socket.getSnapshot()).toEqual(expect.objectContaining({ status: 'open' }))
    expect(socket.getSnapshot()).not.toHaveProperty('tabs')
    socket.dispose()
  })

  it('opens one WebSocket for three tabs, and every tab mirrors its state', async () => {
    const { tabs, open } = browser()
    open()
    open()
    open()
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(tabs.map((t) => t.socket.getSnapshot().status)).toEqual(['connecting', 'connecting', 'connecting'])
    await serverOpens()
    expect(tabs.map((t) => t.socket.getSnapshot())).toEqual([
      expect.objectContaining({ status: 'open', leader: true, tabs: 3, queued: 0, pending: 0 }),
      expect.objectContaining({ status: 'open', leader: false, tabs: 3 }),
      expect.objectContaining({ status: 'open', leader: false, tabs: 3 }),
    ])
    expect(tabs.map((t) => t.of('open').length)).toEqual([1, 1, 1])
    for (const t of tabs) t.socket.dispose()
    expect(links()).toEqual([])
  })

  it('delivers every incoming message to every tab, as message and as its type', async () => {
    const { tabs, open } = browser()
    for (let i = 0; i < 3; i++) open()
    await settle()
    const ws = await serverOpens()
    const chats = tabs.map(() => [] as unknown[])
    tabs.forEach((t, i) => {
      t.socket.on('chat', (data) => chats[i]?.push(data))
    })
    ws.serverEmit('chat', { text: 'one' })
    ws.serverEmit('chat', { text: 'two' })
    await settle()
    for (const list of chats) expect(list).toEqual([{ text: 'one' }, { text: 'two' }])
    for (const t of tabs) expect(t.of('message')).toHaveLength(2)
    for (const t of tabs) t.socket.dispose()
  })

  it("writes each tab's sends once, in that tab's order", async () => {
    const { tabs, open } = browser()
    for (let i = 0; i < 3; i++) open()
    await settle()
    const ws = await serverOpens()
    tabs.forEach((t, i) => {
      for (let n = 0; n < 5; n++) expect(t.socket.send('n', `${i}:${n}`)).toBe('sent')
    })
    await settle()
    const got = received(ws, 'n') as string[]
    expect(got).toHaveLength(15)
    for (let i = 0; i < 3; i++) {
      expect(got.filter((s) => s.startsWith(`${i}:`))).toEqual([0, 1, 2, 3, 4].map((n) => `${i}:${n}`))
    }
    for (const t of tabs) t.socket.dispose()
  })

  it('queues sends made before the link is open in the tab that made them, and counts them for the group', async () => {
    const { tabs, open } = browser()
    const [a, b] = [open(), open()]
    await settle()
    expect(a?.socket.send('n', 1)).toBe('queued')
    expect(b?.socket.send('n', 2)).toBe('queued')
    expect(b?.socket.send('n', 3)).toBe('queued')
    await settle()
    expect(tabs.map((t) => t.socket.getSnapshot().queued)).toEqual([3, 3])
    const ws = await serverOpens()
    expect((received(ws, 'n') as number[]).sort()).toEqual([1, 2, 3])
    expect(received(ws, 'n').indexOf(2)).toBeLessThan(received(ws, 'n').indexOf(3))
    expect(tabs.map((t) => t.socket.getSnapshot().queued)).toEqual([0, 0])
    for (const t of tabs) t.socket.dispose()
  })

  it('answers a request in the tab that asked only', async () => {
    const { tabs, open } = browser()
    for (let i = 0; i < 3; i++) open()
    await settle()
    const ws = await serverOpens()
    const asker = tabs[2]?.socket
    const reply = asker?.request('getUser', { id: '42' })
    await settle()
    expect(tabs.map((t) => t.socket.getSnapshot().pending)).toEqual([1, 1, 1])
    const request = ws.messages.at(-1) as { type: string; id: string }
    expect(request).toMatchObject({ type: 'getUser', data: { id: '42' } })
    ws.serverSend({ re: request.id, data: { name: 'Ada' } })
    await settle()
    await expect(reply).resolves.toEqual({ name: 'Ada' })
    // A reply is never a message, in any tab.
    for (const t of tabs) expect(t.of('message')).toEqual([])
    expect(tabs.map((t) => t.socket.getSnapshot().pending)).toEqual([0, 0, 0])
    for (const t of tabs) t.socket.dispose()
  })

  it('gives a request the server makes to one tab that handles it, and sends one reply', async () => {
    const { tabs, open } = browser()
    for (let i = 0; i < 3; i++) open()
    await settle()
    const ws = await serverOpens()
    const calls: number[] = []
    tabs[1]?.socket.handle('confirm', () => {
      calls.push(1)
      return true
    })
    tabs[2]?.socket.handle('confirm', () => {
      calls.push(2)
      return true
    })
    await settle()
    ws.serverSend({ type: 'confirm', data: { text: 'sure?' }, id: 's1' })
    await settle()
    expect(calls).toHaveLength(1)
    expect(ws.messages.filter((m) => (m as { re?: string }).re === 's1')).toEqual([{ re: 's1', data: true }])
    // Nobody else saw it as a message either.
    for (const t of tabs) expect(t.of('message')).toEqual([])
    for (const t of tabs) t.socket.dispose()
  })

  it('reports a drop in the tab whose message it was, only', async () => {
    const { tabs, open } = browser({ queue: { maxMessages: 1 } })
    open()
    open()
    await settle()
    tabs[1]?.socket.send('n', 1)
    tabs[1]?.socket.send('n', 2)
    await settle()
    expect(tabs[0]?.of('drop')).toEqual([])
    expect(tabs[1]?.of('drop')).toEqual([{ type: 'n', data: 1, reason: 'overflow' }])
    for (const t of tabs) t.socket.dispose()
  })

  it('detaches a follower on close(): its queue drops, the others keep the link', async () => {
    const { tabs, open } = browser()
    for (let i = 0; i < 3; i++) open()
    await settle()
    const ws = await serverOpens()
    const follower = tabs[1]
    follower?.socket.close()
    await settle()
    expect(follower?.socket.getSnapshot()).toMatchObject({ status: 'closed', leader: false })
    expect(follower?.of('close')).toEqual([{ code: 1000, reason: '', wasClean: true, willReconnect: false }])
    expect(ws.closed).toBe(false)
    expect(tabs[0]?.socket.getSnapshot()).toMatchObject({ status: 'open', tabs: 2 })
    expect(tabs[2]?.socket.getSnapshot()).toMatchObject({ status: 'open', tabs: 2 })
    // Sends after close drop in that tab, as a closed socket's do.
    expect(follower?.socket.send('n', 1)).toBe('dropped')
    // And it can come back.
    follower?.socket.open()
    await settle()
    expect(follower?.socket.getSnapshot()).toMatchObject({ status: 'open', tabs: 3 })
    follower?.socket.send('back', 1)
    await settle()
    expect(received(ws, 'back')).toEqual([1])
    for (const t of tabs) t.socket.dispose()
  })

  it('closes the connection with the code of the last tab that leaves', async () => {
    const { tabs, open } = browser()
    open()
    open()
    await settle()
    const ws = await serverOpens()
    tabs[0]?.socket.close()
    await settle()
    const second = FakeWebSocket.last
    expect(ws.closedWith).toEqual({ code: 1000, reason: 'leader left' })
    await serverOpens()
    expect(tabs[1]?.socket.getSnapshot()).toMatchObject({ status: 'open', leader: true, tabs: 1 })
    tabs[1]?.socket.close(4000, 'bye')
    expect(second.closedWith).toEqual({ code: 4000, reason: 'bye' })
    expect(links()).toEqual([])
  })

  it('closes every tab on a terminal close code: queues drop, requests reject', async () => {
    const { tabs, open } = browser()
    open()
    open()
    await settle()
    const live = await serverOpens()
    const request = tabs[1]?.socket.request('slow', 1).catch((error) => error)
    await settle()
    live.serverClose(4401, 'unauthorized')
    await settle()
    expect(tabs.map((t) => t.socket.getSnapshot().status)).toEqual(['closed', 'closed'])
    await expect(request).resolves.toMatchObject({ code: 'REQUEST_LOST' })
    for (const t of tabs) {
      expect(t.of('close').at(-1)).toEqual({ code: 4401, reason: 'unauthorized', wasClean: true, willReconnect: false })
    }
    expect(tabs[1]?.socket.send('n', 1)).toBe('dropped')
    for (const t of tabs) t.socket.dispose()
  })

  it("mirrors the connection's errors, latency and retries in every tab", async () => {
    const { tabs, open } = browser({
      heartbeat: { interval: 1000, timeout: 1000 },
      reconnect: { initialDelay: 5000, jitter: 'none' },
    })
    open()
    open()
    await settle()
    const ws = await serverOpens()
    await vi.advanceTimersByTimeAsync(1000) // the leader pings after a second of silence
    ws.serverEmit('pong')
    await settle()
    for (const t of tabs) expect(t.socket.getSnapshot().latency).toEqual(expect.any(Number))
    await vi.advanceTimersByTimeAsync(2100) // no pong this time: the link is dead
    await settle()
    for (const t of tabs) {
      expect(t.of('error')).toEqual([expect.objectContaining({ code: 'HEARTBEAT_TIMEOUT' })])
      expect(t.socket.getSnapshot()).toMatchObject({ status: 'reconnecting', attempt: 1 })
      expect(t.socket.getSnapshot().lastError?.code).toBe('HEARTBEAT_TIMEOUT')
      expect(t.of('reconnecting')).toEqual([expect.objectContaining({ attempt: 1 })])
    }
    // A follower's reconnect() reconnects the group at once.
    tabs[1]?.socket.reconnect()
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(2)
    for (const t of tabs) t.socket.dispose()
  })

  it('gives a request the server makes that no tab handles to every tab, as a message', async () => {
    const { tabs, open } = browser()
    open()
    open()
    await settle()
    const ws = await serverOpens()
    ws.serverSend({ type: 'ask', data: 1, id: 's9' })
    await settle()
    for (const t of tabs) expect(t.of('message')).toEqual([{ type: 'ask', data: 1, id: 's9' }])
    for (const t of tabs) t.socket.dispose()
  })

  it('connects the group again when a tab opens after a close for good; the other tabs stay closed', async () => {
    const { tabs, open } = browser()
    open()
    open()
    await settle()
    ;(await serverOpens()).serverClose(4401, 'unauthorized')
    await settle()
    expect(tabs.map((t) => t.socket.getSnapshot().status)).toEqual(['closed', 'closed'])
    tabs[1]?.socket.open()
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(2)
    await serverOpens()
    expect(tabs.map((t) => t.socket.getSnapshot().status)).toEqual(['closed', 'open'])
    tabs[1]?.socket.send('back', 1)
    await settle()
    expect(received(FakeWebSocket.last, 'back')).toEqual([1])
    for (const t of tabs) t.socket.dispose()
  })

  it("keeps a follower's ttl and request timeout its own: the timeout runs once the request is handed to the leader", async () => {
    const { tabs, open } = browser({ queue: { ttl: 300 }, requestTimeout: 100 })
    open()
    open()
    await settle()
    // No link yet: both wait in the follower's queue, where only the ttl runs.
    tabs[1]?.socket.send('n', 1)
    const queued = tabs[1]?.socket.request('queued', 1).catch((error) => error)
    await vi.advanceTimersByTimeAsync(400)
    expect(tabs[1]?.of('drop')).toEqual(
      expect.arrayContaining([
        { type: 'n', data: 1, reason: 'expired' },
        expect.objectContaining({ type: 'queued', reason: 'expired' }),
      ]),
    )
    await expect(queued).resolves.toMatchObject({ code: 'REQUEST_LOST', cause: 'expired' })

    const ws = await serverOpens()
    const written = tabs[1]?.socket.request('slow', 2).catch((error) => error)
    await settle()
    expect(received(ws, 'slow')).toEqual([2])
    await vi.advanceTimersByTimeAsync(100)
    await expect(written).resolves.toMatchObject({ code: 'REQUEST_TIMEOUT' })
    expect(tabs[0]?.of('drop')).toEqual([])
    for (const t of tabs) t.socket.dispose()
  })
})
