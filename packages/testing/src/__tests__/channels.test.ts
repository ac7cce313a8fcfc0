// Channels against the test server, as users test them: a `channel()` of @lifeline/core/channels on a
// socket connected to it. Every case runs under vitest's fake timers and under real ones; `settle`
// is the only difference (it advances fake time until a promise settles, or just awaits it).
import { connect, type Socket } from '@lifeline/core'
import { type Channel, type ChannelGap, type ChannelSnapshot, channel } from '@lifeline/core/channels'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createTestServer, type TestServer } from '../index.js'

interface Line {
  text: string
}

const FAST = { initialDelay: 20, maxDelay: 100, jitter: 'none' } as const

describe.each(['fake timers', 'real timers'])('channels on the test server, under %s', (mode) => {
  const fake = mode === 'fake timers'
  let server: TestServer
  const sockets: Socket[] = []

  beforeEach(() => {
    if (fake) vi.useFakeTimers()
    server = createTestServer({ history: { size: 5 } })
  })
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.dispose()
    server.stop()
    vi.useRealTimers()
  })

  /** Waits for `promise`, advancing fake time meanwhile (by 10 ms steps, at most 60 s of it). */
  async function settle<T>(promise: Promise<T>): Promise<T> {
    if (!fake) return promise
    let done = false
    const settled = promise.finally(() => {
      done = true
    })
    for (let i = 0; i < 6000 && !done; i++) await vi.advanceTimersByTimeAsync(10)
    return settled
  }

  function open() {
    const socket = connect(server.url, { WebSocket: server.WebSocket, reconnect: FAST })
    sockets.push(socket)
    return socket
  }

  /** A channel with what it delivered: its lines, its gaps and its snapshots. */
  function follow(socket: Socket, name = 'room:1') {
    const room = channel<Line>(socket, name)
    const lines: string[] = []
    const offsets: number[] = []
    const gaps: ChannelGap[] = []
    room.on('message', ({ text }, { offset }) => {
      lines.push(text)
      offsets.push(offset)
    })
    room.on('gap', (gap) => gaps.push(gap))
    return { room, lines, offsets, gaps }
  }

  /** Resolves with the channel's snapshot once `check` holds. */
  const until = (room: Channel<Line>, check: (snapshot: ChannelSnapshot) => boolean) =>
    settle(
      new Promise<ChannelSnapshot>((resolve) => {
        if (check(room.getSnapshot())) return resolve(room.getSnapshot())
        const off = room.subscribe(() => {
          if (!check(room.getSnapshot())) return
          off()
          resolve(room.getSnapshot())
        })
      }),
    )

  const joined = (room: Channel<Line>) => until(room, (s) => s.status === 'joined')

  /** Cuts the link, runs `meanwhile` while the client is away, and waits until the channel is joined again. */
  async function whileDown(socket: Socket, room: Channel<Line>, meanwhile: () => void) {
    const connection = server.connections.at(-1)
    await connection?.drop()
    expect(socket.getSnapshot().status).toBe('reconnecting')
    meanwhile()
    await settle(server.waitForConnection())
    await joined(room)
  }

  it('joins at the top and delivers what the server publishes, with its position', async () => {
    server.publish('room:1', { text: 'before' })
    const socket = open()
    const { room, lines, offsets } = follow(socket)
    expect(await joined(room)).toMatchObject({ epoch: 'e1', offset: 1, recovered: false })
    await server.waitForConnection()
    expect(server.joined('room:1')).toEqual([server.connections[0]])

    expect(server.publish('room:1', { text: 'one' })).toEqual({ epoch: 'e1', offset: 2 })
    server.publish('room:1', { text: 'two' })
    server.publish('room:2', { text: 'elsewhere' })
    expect(lines).toEqual(['one', 'two'])
    expect(offsets).toEqual([2, 3])
    expect(room.getSnapshot()).toMatchObject({ epoch: 'e1', offset: 3 })
  })

  it('answers a publish with its position and delivers it to every member, the publisher included', async () => {
    const alice = follow(open())
    const bob = follow(open())
    await Promise.all([joined(alice.room), joined(bob.room)])
    expect(await settle(alice.room.publish({ text: 'hi' }))).toEqual({ epoch: 'e1', offset: 1 })
    expect(alice.lines).toEqual(['hi'])
    expect(bob.lines).toEqual(['hi'])
    expect(server.position('room:1')).toEqual({ epoch: 'e1', offset: 1 })
  })

  it('replays what was published while the link was down, once each and in order, after a drop', async () => {
    const socket = open()
    const { room, lines, offsets, gaps } = follow(socket)
    await joined(room)
    server.publish('room:1', { text: 'live' })

    await whileDown(socket, room, () => {
      server.publish('room:1', { text: 'missed 1' })
      server.publish('room:1', { text: 'missed 2' })
    })
    expect(room.getSnapshot()).toMatchObject({ status: 'joined', recovered: true, offset: 3 })
    expect(lines).toEqual(['live', 'missed 1', 'missed 2'])
    expect(offsets).toEqual([1, 2, 3])
    expect(gaps).toEqual([])
    const join = server.connections[1]?.messages.find((message) => message.type === '$join')
    expect(join?.data).toMatchObject({ channel: 'room:1', since: { epoch: 'e1', offset: 1 } })

    server.publish('room:1', { text: 'live again' })
    expect(lines.at(-1)).toBe('live again')
  })

  it('says what cannot be recovered once the history was trimmed, then goes on live', async () => {
    const socket = open()
    const { room, lines, gaps } = follow(socket)
    await joined(room)

    await whileDown(socket, room, () => {
      for (const text of ['a', 'b', 'c']) server.publish('room:1', { text })
      server.trimHistory('room:1', 1) // keeps 'c' only: 'a' and 'b' are gone
    })
    expect(gaps).toEqual([{ reason: 'trimmed', from: 1, to: 3 }])
    expect(room.getSnapshot()).toMatchObject({ recovered: false, offset: 3 })
    expect(lines).toEqual([]) // never a part of the replay

    server.publish('room:1', { text: 'd' })
    expect(lines).toEqual(['d'])
  })

  it('keeps history.size publications per channel: missing more is a trimmed gap', async () => {
    const socket = open()
    const { room, gaps, lines } = follow(socket)
    await joined(room)
    await whileDown(socket, room, () => {
      for (let i = 1; i <= 6; i++) server.publish('room:1', { text: `${i}` }) // size is 5
    })
    expect(gaps).toEqual([{ reason: 'trimmed', from: 1, to: 6 }])
    expect(lines).toEqual([])
  })

  it('starts a reset channel in a new epoch: a client that comes back gets an epoch gap', async () => {
    const socket = open()
    const { room, gaps, lines } = follow(socket)
    await joined(room)
    server.publish('room:1', { text: 'old' })

    await whileDown(socket, room, () => {
      expect(server.resetChannel('room:1')).toEqual({ epoch: 'e2', offset: 0 })
      server.publish('room:1', { text: 'new 1' })
    })
    expect(gaps).toEqual([{ reason: 'epoch', from: 1, to: 1 }])
    expect(room.getSnapshot()).toMatchObject({ epoch: 'e2', offset: 1, recovered: false })
    server.publish('room:1', { text: 'new 2' })
    expect(lines).toEqual(['old', 'new 2'])
  })

  it('refuses joins as asked: the channel fails with JOIN_REFUSED until rejoined', async () => {
    const stop = server.refuseJoins((name) => name.startsWith('user:'))
    const socket = open()
    const mine = channel<Line>(socket, 'user:7')
    const failed = await until(mine, (s) => s.status === 'failed')
    expect(failed.error?.code).toBe('JOIN_REFUSED')
    expect(server.joined('user:7')).toEqual([])

    stop()
    mine.rejoin()
    await joined(mine)
    expect(server.joined('user:7')).toHaveLength(1)
  })

  it('takes a connection out of a channel at its leave, and at its close', async () => {
    const socket = open()
    const { room } = follow(socket)
    await joined(room)
    room.leave()
    await settle(server.waitForMessage((message) => message.type === '$leave'))
    expect(server.joined('room:1')).toEqual([])

    const again = follow(socket, 'room:2')
    await joined(again.room)
    await server.connections[0]?.close(1012)
    expect(server.joined('room:2')).toEqual([])
  })

  it('keeps a connection in a channel until each subscriber on it has left', async () => {
    const raw = new server.WebSocket(server.url)
    const connection = await server.waitForConnection()
    const frame = (value: object) => raw.send(JSON.stringify(value))
    frame({ type: '$join', id: 'j1', data: { channel: 'room:1', sub: 'tab-a' } })
    frame({ type: '$join', id: 'j2', data: { channel: 'room:1', sub: 'tab-b' } })
    await settle(server.waitForMessage((message) => message.id === 'j2'))
    frame({ type: '$leave', data: { channel: 'room:1', sub: 'tab-a' } })
    await settle(server.waitForMessage((message) => message.type === '$leave'))
    expect(server.joined('room:1')).toEqual([connection])
    frame({ type: '$leave', data: { channel: 'room:1', sub: 'tab-b' } })
    await settle(server.waitForMessage((message) => message.type === '$leave'))
    expect(server.joined('room:1')).toEqual([])
    raw.close()
  })

  it('publishes a resent $publish once, answering the copy with the first position', async () => {
    const raw = new server.WebSocket(server.url)
    const replies: unknown[] = []
    raw.onmessage = (event: MessageEvent) => replies.push(JSON.parse(String(event.data)))
    await server.waitForConnection()
    const publish = JSON.stringify({ type: '$publish', id: 'p1', data: { channel: 'room:1', data: { text: 'x' } } })
    raw.send(publish)
    raw.send(publish)
    await settle(server.waitForMessage((message) => message.id === 'p1'))
    await settle(server.waitForMessage((message) => message.id === 'p1'))
    expect(replies).toEqual([
      { re: 'p1', data: { epoch: 'e1', offset: 1 } },
      { re: 'p1', data: { epoch: 'e1', offset: 1 } },
    ])
    expect(server.position('room:1')).toEqual({ epoch: 'e1', offset: 1 })
    raw.close()
  })
})
