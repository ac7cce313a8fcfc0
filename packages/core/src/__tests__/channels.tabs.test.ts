import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Channel, type ChannelGap, channel } from '../channels.js'
import { answerJoin, lastJoin, publish, sentOf } from './channelsHelpers.js'
import { FakeWebSocket } from './fakeWebSocket.js'
import { browser, serverOpens, settle, type Tab } from './tabsHelpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** What one tab's handle delivered, in order: payloads, and gaps. */
function follow(tab: Tab, name = 'room') {
  const room = channel<string>(tab.socket, name)
  const seen: Array<string | ChannelGap> = []
  room.on('message', (data) => seen.push(data))
  room.on('gap', (gap) => seen.push(gap))
  return { room, seen }
}

/** Three tabs on one open link, each following `room`; the first leads. */
async function three() {
  const group = browser()
  for (let i = 0; i < 3; i++) group.open()
  await settle()
  const ws = await serverOpens()
  const followed = group.tabs.map((tab) => follow(tab))
  await settle()
  return { ...group, ws, followed }
}

const joins = (ws: FakeWebSocket) => sentOf(ws, '$join')

describe('channels under connectShared', () => {
  it('joins once for the group; every tab delivers each publication once, in order', async () => {
    const { ws, followed, tabs } = await three()
    expect(joins(ws)).toHaveLength(1)
    answerJoin(ws, { epoch: 'e1', offset: 4 })
    await settle()
    publish(ws, 5, 7)
    await settle()
    for (const { room, seen } of followed) {
      expect(seen).toEqual(['p5', 'p6', 'p7'])
      expect(room.getSnapshot()).toMatchObject({ status: 'joined', epoch: 'e1', offset: 7 })
    }
    for (const tab of tabs) tab.socket.dispose()
  })

  it('rejoins once after the link drops, and the replay reaches every tab once', async () => {
    const { ws, followed, tabs } = await three()
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    publish(ws, 1, 2)
    await settle()
    ws.serverClose()
    await vi.advanceTimersByTimeAsync(5000)
    const next = await serverOpens()
    await settle()
    expect(joins(next)).toHaveLength(1)
    expect(lastJoin(next).data.since).toEqual({ epoch: 'e1', offset: 2 })
    answerJoin(next, { epoch: 'e1', offset: 4, recovered: true })
    publish(next, 3, 5)
    await settle()
    for (const { room, seen } of followed) {
      expect(seen).toEqual(['p1', 'p2', 'p3', 'p4', 'p5'])
      expect(room.getSnapshot()).toMatchObject({ status: 'joined', offset: 5, recovered: true })
    }
    for (const tab of tabs) tab.socket.dispose()
  })

  it('tells every tab of a gap once, then continues from the top', async () => {
    const { ws, followed, tabs } = await three()
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    publish(ws, 1)
    publish(ws, 1, 1, 'e2') // a new epoch: the tab that follows the channel rejoins
    await settle()
    expect(joins(ws)).toHaveLength(2)
    answerJoin(ws, { epoch: 'e2', offset: 3, gap: { reason: 'epoch', from: 1, to: 3 } })
    await settle()
    publish(ws, 4, 4, 'e2')
    await settle()
    for (const { seen } of followed) expect(seen).toEqual(['p1', { reason: 'epoch', from: 1, to: 3 }, 'p4'])
    for (const tab of tabs) tab.socket.dispose()
  })

  it('after the tab that followed the channel crashes, another rejoins from the last position the group delivered', async () => {
    const { ws, followed, tabs } = await three()
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    publish(ws, 1, 3)
    await settle()
    const [first, a, b] = tabs as [Tab, Tab, Tab]
    first.crash() // the leader, and the tab holding the channel's lock
    await settle()
    const next = await serverOpens()
    await settle()
    expect(joins(next)).toHaveLength(1)
    expect(lastJoin(next).data.since).toEqual({ epoch: 'e1', offset: 3 })
    answerJoin(next, { epoch: 'e1', offset: 5, recovered: true })
    publish(next, 4, 6)
    await settle()
    for (const { seen } of followed.slice(1)) expect(seen).toEqual(['p1', 'p2', 'p3', 'p4', 'p5', 'p6'])
    for (const tab of [a, b]) tab.socket.dispose()
  })

  it('a follower that leaves stops delivering; when the following tab leaves, the next joins for the rest', async () => {
    const { ws, followed, tabs } = await three()
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    const [first, second, third] = followed as Array<{ room: Channel<string>; seen: unknown[] }>
    third?.room.leave()
    publish(ws, 1)
    await settle()
    expect(third?.seen).toEqual([])
    first?.room.leave() // the tab that joined: it leaves on the wire, the next tab joins
    await settle()
    expect(sentOf(ws, '$leave')).toHaveLength(1)
    expect(joins(ws)).toHaveLength(2)
    expect(lastJoin(ws).data.since).toEqual({ epoch: 'e1', offset: 1 })
    answerJoin(ws, { epoch: 'e1', offset: 2, recovered: true })
    publish(ws, 2)
    await settle()
    expect(second?.seen).toEqual(['p1', 'p2'])
    expect(first?.seen).toEqual(['p1'])
    for (const tab of tabs) tab.socket.dispose()
  })
})
