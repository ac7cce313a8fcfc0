import { answerJoin, flush, lastJoin, sentOf } from '@lifeline/test-support/channelsHelpers'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Channel, channel } from '../channels.js'
import { openLink, setup } from './helpers.js'
import { browser, serverOpens, settle, type Tab } from './tabsHelpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(async () => {
  await flush()
  vi.useRealTimers()
})

const ann = { id: 'ann', data: { name: 'Ann' } }
const bob = { id: 'bob', data: { name: 'Bob' } }
const cat = { id: 'cat', data: { name: 'Cat' } }

/** What a handle told its listeners of its members, in order. */
function record(room: Channel) {
  const log: string[] = []
  room.on('join', ({ id }) => log.push(`join ${id}`))
  room.on('leave', ({ id }) => log.push(`leave ${id}`))
  room.on('presence', (members, count) => log.push(`presence ${members.map(({ id }) => id).join(',')} (${count})`))
  return log
}

/** An open socket and a channel `room` with presence on it, joined with `members`. */
async function present(members = [ann, bob]) {
  const { socket } = setup({ heartbeat: false })
  const ws = await openLink()
  const room = channel(socket, 'room', { presence: true })
  const log = record(room)
  answerJoin(ws, { epoch: 'e1', offset: 0, members })
  await flush()
  return { socket, ws, room, log }
}

describe('channel presence', () => {
  it('asks for the members in its join, and holds them from the answer', async () => {
    const { ws, room, log } = await present()
    expect(lastJoin(ws).data).toEqual({ channel: 'room', sub: expect.any(String), presence: 'list' })
    expect(room.presence()).toEqual([ann, bob])
    expect(room.memberCount()).toBe(2)
    // Who was there already is told by `presence`, not as joins.
    expect(log).toEqual(['presence ann,bob (2)'])
  })

  it('applies joins and leaves as they come, ignoring a leave of someone unknown', async () => {
    const { ws, room, log } = await present()
    log.length = 0
    const before = room.presence()
    ws.serverSend({ pr: 'room', j: [cat], l: ['ann', 'nobody'] })
    expect(room.presence()).toEqual([bob, cat])
    expect(room.presence()).not.toBe(before)
    expect(log).toEqual(['leave ann', 'join cat', 'presence bob,cat (2)'])
    ws.serverSend({ pr: 'other', j: [ann] })
    expect(room.presence()).toEqual([bob, cat])
  })

  it('shows a reconnect as nothing: the rejoin answer is compared with the members kept through the drop', async () => {
    const { ws, room, log } = await present()
    log.length = 0
    ws.serverClose(1006)
    await vi.advanceTimersByTimeAsync(5_000)
    expect(room.presence()).toEqual([ann, bob])
    const next = await openLink()
    expect(lastJoin(next).data.presence).toBe('list')
    answerJoin(next, { epoch: 'e1', offset: 0, recovered: true, members: [bob, cat] })
    await flush()
    // Ann left while the link was down and Cat came: said once each; Bob stayed, said nothing.
    expect(log).toEqual(['leave ann', 'join cat', 'presence bob,cat (2)'])
  })

  it('keeps only the count with presence: count', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const stadium = channel(socket, 'stadium', { presence: 'count' })
    const log = record(stadium)
    expect(lastJoin(ws).data.presence).toBe('count')
    answerJoin(ws, { epoch: 'e1', offset: 0, count: 9000 })
    await flush()
    ws.serverSend({ pr: 'stadium', n: 9001 })
    expect(stadium.presence()).toEqual([])
    expect(stadium.memberCount()).toBe(9001)
    expect(log).toEqual(['presence  (9000)', 'presence  (9001)'])
  })

  it('joins again to ask for the list when a second handle of the name wants more than the first', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const quiet = channel(socket, 'room')
    answerJoin(ws, { epoch: 'e1', offset: 3 })
    await flush()
    expect(lastJoin(ws).data.presence).toBeUndefined()
    const who = channel(socket, 'room', { presence: true })
    expect(lastJoin(ws).data).toMatchObject({ presence: 'list', since: { epoch: 'e1', offset: 3 } })
    answerJoin(ws, { epoch: 'e1', offset: 3, recovered: true, members: [ann] })
    await flush()
    expect(who.presence()).toEqual([ann])
    // A third that wants less asks nothing more.
    channel(socket, 'room', { presence: 'count' })
    expect(sentOf(ws, '$join')).toHaveLength(2)
    expect(quiet.getSnapshot().status).toBe('joined')
  })

  it('lets a handler leave the channel or read the members while told of a join', async () => {
    const { ws, room } = await present([ann])
    const seen: unknown[] = []
    room.on('join', () => {
      seen.push(room.presence().map(({ id }) => id))
      room.leave()
    })
    const after = vi.fn()
    room.on('presence', after)
    ws.serverSend({ pr: 'room', j: [bob, cat] })
    // Both joins were applied before the handlers ran; nothing is told after the leave.
    expect(seen).toEqual([['ann', 'bob', 'cat']])
    expect(after).not.toHaveBeenCalled()
    expect(room.presence()).toEqual([])
    expect(room.memberCount()).toBe(0)
  })

  it('ignores malformed presence frames', async () => {
    const { ws, room, log } = await present([ann])
    log.length = 0
    ws.serverSend({ pr: 'room' })
    ws.serverSend({ pr: 'room', j: 'garbage' })
    ws.serverSend({ pr: 'room', l: [42], j: [{ id: 7 }] })
    expect(room.presence()).toEqual([ann])
    expect(log).toEqual([])
  })

  it('refuses a bad presence option with INVALID_OPTIONS', () => {
    const { socket } = setup({ heartbeat: false })
    expect(() => channel(socket, 'room', { presence: 'list' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    )
  })
})

describe('channel presence under connectShared', () => {
  it('asks once for the group for what any tab wants, and every tab holds the same members', async () => {
    const group = browser()
    group.open()
    group.open()
    await settle()
    const ws = await serverOpens()
    const [leader, other] = group.tabs as [Tab, Tab]
    const quiet = channel(leader.socket, 'room')
    await settle()
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await settle()
    // The other tab wants the members: the tab that follows the channel joins again to ask for them.
    const who = channel(other.socket, 'room', { presence: true })
    const log = record(who)
    await settle()
    expect(lastJoin(ws).data.presence).toBe('list')
    answerJoin(ws, { epoch: 'e1', offset: 0, recovered: true, members: [ann] })
    await settle()
    ws.serverSend({ pr: 'room', j: [bob] })
    await settle()
    expect(who.presence()).toEqual([ann, bob])
    expect(log).toEqual(['presence ann (1)', 'join bob', 'presence ann,bob (2)'])
    expect(quiet.presence()).toEqual([ann, bob])
    for (const tab of group.tabs) tab.socket.dispose()
  })

  it('after the tab that followed the channel crashes, the next one asks for the members the others want', async () => {
    const group = browser()
    for (let i = 0; i < 3; i++) group.open()
    await settle()
    const ws = await serverOpens()
    const [first, second, third] = group.tabs as [Tab, Tab, Tab]
    channel(first.socket, 'room', { presence: true })
    channel(second.socket, 'room')
    const who = channel(third.socket, 'room', { presence: true })
    await settle()
    answerJoin(ws, { epoch: 'e1', offset: 0, members: [ann, bob] })
    await settle()
    first.crash()
    await settle()
    const next = await serverOpens()
    await settle()
    expect(lastJoin(next).data.presence).toBe('list')
    answerJoin(next, { epoch: 'e1', offset: 0, recovered: true, members: [bob] })
    await settle()
    expect(who.presence()).toEqual([bob])
    for (const tab of [second, third]) tab.socket.dispose()
  })
})
