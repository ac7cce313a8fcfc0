import { answerJoin, lastJoin, publish, sentOf } from '@lifeline/test-support/channelsHelpers'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Channel, type ChannelGap, channel } from '../channels.js'
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

  it('a tab that follows a channel the group already follows starts at the group’s position, without a join', async () => {
    const group = browser()
    group.open()
    group.open()
    await settle()
    const ws = await serverOpens()
    const [first, late] = group.tabs as [Tab, Tab]
    const early = follow(first)
    await settle()
    answerJoin(ws, { epoch: 'e1', offset: 7 })
    await settle()
    publish(ws, 8)
    await settle()
    const later = follow(late)
    await settle()
    expect(joins(ws)).toHaveLength(1)
    expect(later.room.getSnapshot()).toMatchObject({ status: 'joined', epoch: 'e1', offset: 8 })
    publish(ws, 9)
    await settle()
    expect(early.seen).toEqual(['p8', 'p9'])
    expect(later.seen).toEqual(['p9'])
    for (const tab of group.tabs) tab.socket.dispose()
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

/** A small seeded generator (mulberry32), so a failing seed can be replayed. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('channels under connectShared: random crashes, drops and new tabs', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`every tab delivers each publication once, in order, from where it started to the top (seed ${seed})`, async () => {
      const next = random(seed)
      const group = browser()
      /** Each live tab and the offsets its handle delivered. */
      const live: Array<{ tab: Tab; offsets: number[]; first: boolean }> = []
      let crashes = 0
      const add = (first = false) => {
        const tab = group.open()
        const room = channel<string>(tab.socket, 'room')
        const offsets: number[] = []
        room.on('message', (_, { offset }) => offsets.push(offset))
        room.on('gap', () => offsets.push(-1))
        live.push({ tab, offsets, first })
      }
      // The server: every publication kept; a join is answered with the replay of what came after its `since`.
      let top = 0
      const answered = new Set<string>()
      const serve = async () => {
        for (let round = 0; round < 5; round++) {
          await vi.advanceTimersByTimeAsync(300) // a reconnect's backoff, at most
          const ws = FakeWebSocket.last
          if (!ws || ws.terminated || ws.readyState > FakeWebSocket.OPEN) continue
          if (ws.readyState === FakeWebSocket.CONNECTING) ws.serverOpen()
          await settle()
          for (const join of sentOf(ws, '$join')) {
            if (answered.has(join.id as string)) continue
            answered.add(join.id as string)
            const since = join.data.since as { epoch: string; offset: number } | undefined
            ws.serverSend({ re: join.id, data: { epoch: 'e1', offset: top, recovered: !!since } })
            if (since) publish(ws, since.offset + 1, top)
            await settle()
          }
        }
      }
      for (let i = 0; i < 3; i++) add(true)
      await serve()
      for (let step = 0; step < 40; step++) {
        const roll = next()
        if (roll < 0.6) {
          top++
          const ws = FakeWebSocket.live().at(-1)
          if (ws?.readyState === FakeWebSocket.OPEN) publish(ws, top)
        } else if (roll < 0.7 && live.length > 1) {
          const [gone] = live.splice(Math.floor(next() * live.length), 1)
          gone?.tab.crash()
          crashes++
        } else if (roll < 0.8) add()
        else if (roll < 0.9) FakeWebSocket.live().at(-1)?.serverClose()
        await settle(2)
        if (next() < 0.3) await serve()
      }
      await serve()
      await serve()
      expect(top).toBeGreaterThan(10)
      expect(crashes).toBeGreaterThan(0)
      for (const { offsets, first } of live) {
        // A tab there from the start has every publication; one opened later, every one since it started.
        if (first) expect(offsets).toEqual(Array.from({ length: top }, (_, i) => i + 1))
        expect(offsets).not.toContain(-1)
        expect(offsets.at(-1) ?? top).toBe(top)
        for (const [i, offset] of offsets.entries()) if (i > 0) expect(offset).toBe((offsets[i - 1] ?? 0) + 1)
      }
      for (const { tab } of live) tab.socket.dispose()
    })
  }
})
