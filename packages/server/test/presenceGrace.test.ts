// The hub's presence without a network, under fake timers: a user is one member whatever its
// connections, leaves only once its last one has been gone for the grace period, and its joins
// and leaves go out coalesced (list every 50 ms, count at most once a second).
import { memoryPresence } from '@lifeline/server'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PeerConnection } from '../src/peer.js'
import { COUNT_EVERY, createPresence, LIST_EVERY } from '../src/presence.js'

let peers = 0
/** A peer of user `user` (none: no user in its data) that keeps what it is written. */
function fakePeer(user?: string) {
  const written: unknown[] = []
  const peer = {
    id: `p${++peers}`,
    data: user === undefined ? {} : { userId: user, name: `name of ${user}` },
    write: (frame: unknown) => written.push(JSON.parse(String(frame))),
  }
  return { peer: peer as unknown as PeerConnection, written }
}

function hubPresence(grace = 5000) {
  const store = memoryPresence()
  const errors: unknown[] = []
  const presence = createPresence({ store, grace, report: (error) => errors.push(error) })
  store.start({ ttl: 10_000, changed: presence.changed, report: (error) => errors.push(error) })
  return { presence, errors }
}

/** The members a `list` join is answered with. */
const listed = (seen: { list?: string }): Array<{ id: string; data: unknown }> => JSON.parse(seen.list ?? 'null')

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('a member is a user', () => {
  it('counts three connections of one user as one member, joined once', () => {
    const { presence } = hubPresence()
    const watcher = fakePeer('w')
    presence.enter(watcher.peer, 'room', 'list')
    const tabs = [fakePeer('u1'), fakePeer('u1'), fakePeer('u1')]
    for (const tab of tabs) presence.enter(tab.peer, 'room', undefined)
    vi.advanceTimersByTime(LIST_EVERY)
    expect(watcher.written).toEqual([{ pr: 'room', j: [{ id: 'u1', data: { userId: 'u1', name: 'name of u1' } }] }])
    expect(presence.members('room').map((member) => member.id)).toEqual(['w', 'u1'])
  })

  it('names a member by its connection when its data names no user', () => {
    const { presence } = hubPresence()
    const anonymous = fakePeer()
    expect(listed(presence.enter(anonymous.peer, 'room', 'list'))).toEqual([{ id: anonymous.peer.id, data: {} }])
  })

  it('answers a join with the members, the joiner included, or their count', () => {
    const { presence } = hubPresence()
    presence.enter(fakePeer('a').peer, 'room', undefined)
    expect(presence.enter(fakePeer('b').peer, 'room', 'count')).toEqual({ count: 2 })
    expect(listed(presence.enter(fakePeer('c').peer, 'room', 'list')).map((member) => member.id)).toEqual([
      'a',
      'b',
      'c',
    ])
  })
})

describe('the answer to a list join', () => {
  it('is made again after every change of the members, and only then', () => {
    const { presence } = hubPresence(0)
    const first = presence.enter(fakePeer('a').peer, 'room', 'list')
    const again = presence.enter(fakePeer('a').peer, 'room', 'list')
    expect(again.list).toBe(first.list)
    const bob = fakePeer('b')
    presence.enter(bob.peer, 'room', undefined)
    expect(listed(presence.enter(fakePeer('a').peer, 'room', 'list')).map(({ id }) => id)).toEqual(['a', 'b'])
    presence.exit(bob.peer, 'room')
    expect(listed(presence.enter(fakePeer('a').peer, 'room', 'list')).map(({ id }) => id)).toEqual(['a'])
  })
})

describe('the grace period', () => {
  it('lets a member go only when its last connection has been gone for the grace period', () => {
    const { presence } = hubPresence(5000)
    const watcher = fakePeer('w')
    presence.enter(watcher.peer, 'room', 'list')
    const [one, two] = [fakePeer('u1'), fakePeer('u1')]
    presence.enter(one.peer, 'room', undefined)
    presence.enter(two.peer, 'room', undefined)
    vi.advanceTimersByTime(LIST_EVERY)
    watcher.written.length = 0

    presence.exit(one.peer, 'room')
    vi.advanceTimersByTime(60_000)
    expect(watcher.written).toEqual([])

    presence.exit(two.peer, 'room')
    vi.advanceTimersByTime(4999)
    expect(watcher.written).toEqual([])
    expect(presence.members('room').map((member) => member.id)).toEqual(['w', 'u1'])
    vi.advanceTimersByTime(1 + LIST_EVERY)
    expect(watcher.written).toEqual([{ pr: 'room', l: ['u1'] }])
    expect(presence.members('room').map((member) => member.id)).toEqual(['w'])
  })

  it('sends nothing for a reconnect within the grace period: no leave, no join', () => {
    const { presence } = hubPresence(5000)
    const watcher = fakePeer('w')
    presence.enter(watcher.peer, 'room', 'count')
    presence.enter(watcher.peer, 'room', 'list')
    const before = fakePeer('u1')
    presence.enter(before.peer, 'room', undefined)
    vi.advanceTimersByTime(COUNT_EVERY)
    watcher.written.length = 0

    presence.exit(before.peer, 'room')
    vi.advanceTimersByTime(4000)
    presence.enter(fakePeer('u1').peer, 'room', 'list')
    vi.advanceTimersByTime(60_000)
    expect(watcher.written).toEqual([])
  })

  it('sends nothing for a member who joined and left between two sends', () => {
    const { presence } = hubPresence(0)
    const watcher = fakePeer('w')
    presence.enter(watcher.peer, 'room', 'list')
    const passing = fakePeer('u1')
    presence.enter(passing.peer, 'room', undefined)
    presence.exit(passing.peer, 'room')
    vi.advanceTimersByTime(COUNT_EVERY)
    expect(watcher.written).toEqual([])
  })

  it('keeps a member whose connections move between channels apart per channel', () => {
    const { presence } = hubPresence(100)
    const user = fakePeer('u1')
    presence.enter(user.peer, 'a', undefined)
    presence.enter(user.peer, 'b', undefined)
    presence.exit(user.peer, 'a')
    vi.advanceTimersByTime(100)
    expect(presence.members('a')).toEqual([])
    expect(presence.members('b').map((member) => member.id)).toEqual(['u1'])
  })
})

describe('a peer whose data changes', () => {
  it('leaves as the member it joined as, and a rejoin as another user moves it', () => {
    const { presence } = hubPresence(100)
    const tab = fakePeer()
    presence.enter(tab.peer, 'room', undefined)
    const guest = tab.peer.id
    ;(tab.peer as { data: unknown }).data = { userId: 'ann' }
    presence.enter(tab.peer, 'room', undefined)
    vi.advanceTimersByTime(100)
    expect(presence.members('room').map((member) => member.id)).toEqual(['ann'])
    ;(tab.peer as { data: unknown }).data = { userId: 'bob' }
    presence.exit(tab.peer, 'room')
    vi.advanceTimersByTime(100)
    expect(presence.members('room')).toEqual([])
    expect(guest).toMatch(/^p/)
  })
})

describe('data that is not JSON', () => {
  it('reports it and shows the member with data null, never throwing from a timer', () => {
    const { presence, errors } = hubPresence()
    const watcher = fakePeer('w')
    presence.enter(watcher.peer, 'room', 'list')
    const odd = fakePeer('odd')
    ;(odd.peer as { data: unknown }).data = { userId: 'odd', size: 10n }
    presence.enter(odd.peer, 'room', undefined)
    vi.advanceTimersByTime(LIST_EVERY)
    expect(watcher.written).toEqual([{ pr: 'room', j: [{ id: 'odd', data: null }] }])
    expect(errors).toEqual([expect.objectContaining({ code: 'ENCODE_FAILED' })])
  })
})

describe('watching a channel', () => {
  it('watches while a join is under way or a member is here, and stops after the last', () => {
    const store = memoryPresence()
    const watched: string[] = []
    const spy = {
      ...store,
      watch: (channel: string) => void watched.push(`watch ${channel}`),
      unwatch: (channel: string) => void watched.push(`unwatch ${channel}`),
    }
    const presence = createPresence({ store: spy, grace: 0, report: () => {} })
    store.start({ ttl: 10_000, changed: presence.changed, report: () => {} })
    const [a, b] = [fakePeer('a'), fakePeer('b')]
    presence.ready('room')
    presence.ready('room')
    // One join fails (its peer went): the other still waits for the channel's members.
    presence.unready('room')
    expect(watched).toEqual(['watch room', 'watch room'])
    presence.enter(a.peer, 'room', 'list')
    presence.ready('room')
    presence.enter(b.peer, 'room', undefined)
    presence.exit(a.peer, 'room')
    expect(watched).toHaveLength(3)
    presence.exit(b.peer, 'room')
    expect(watched.at(-1)).toBe('unwatch room')
  })
})

describe('what goes out', () => {
  it('sends a busy room its count at most once a second, not once per join', () => {
    const { presence } = hubPresence()
    const watcher = fakePeer('w')
    presence.enter(watcher.peer, 'room', 'count')
    for (let n = 0; n < 500; n++) presence.enter(fakePeer(`u${n}`).peer, 'room', undefined)
    vi.advanceTimersByTime(COUNT_EVERY - 1)
    expect(watcher.written).toEqual([])
    vi.advanceTimersByTime(1)
    expect(watcher.written).toEqual([{ pr: 'room', n: 501 }])
    vi.advanceTimersByTime(10 * COUNT_EVERY)
    expect(watcher.written).toHaveLength(1)
  })

  it('sends a list peer its joins coalesced, and a peer that asked for neither nothing', () => {
    const { presence } = hubPresence()
    const list = fakePeer('l')
    const quiet = fakePeer('q')
    presence.enter(list.peer, 'room', 'list')
    presence.enter(quiet.peer, 'room', undefined)
    for (const user of ['a', 'b', 'c']) presence.enter(fakePeer(user).peer, 'room', undefined)
    vi.advanceTimersByTime(COUNT_EVERY)
    expect(list.written).toEqual([
      {
        pr: 'room',
        j: ['q', 'a', 'b', 'c'].map((id) => ({ id, data: { userId: id, name: `name of ${id}` } })),
      },
    ])
    expect(quiet.written).toEqual([])
  })

  it('stops a peer that left the channel from hearing of it at once', () => {
    const { presence } = hubPresence()
    const watcher = fakePeer('w')
    presence.enter(watcher.peer, 'room', 'list')
    presence.exit(watcher.peer, 'room')
    presence.enter(fakePeer('u1').peer, 'room', undefined)
    vi.advanceTimersByTime(COUNT_EVERY)
    expect(watcher.written).toEqual([])
  })

  it('sends nothing and keeps nobody after close', async () => {
    const { presence } = hubPresence()
    const watcher = fakePeer('w')
    presence.enter(watcher.peer, 'room', 'list')
    await presence.close()
    presence.enter(fakePeer('u1').peer, 'room', undefined)
    vi.advanceTimersByTime(COUNT_EVERY)
    expect(watcher.written).toEqual([])
  })
})
