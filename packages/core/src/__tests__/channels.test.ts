import { answerJoin, flush, lastJoin, publish, refuseJoin, sentOf } from '@lifeline/test-support/channelsHelpers'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { type Channel, channel } from '../channels.js'
import { openLink, setup } from './helpers.js'

const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
  unhandled.length = 0
  process.on('unhandledRejection', onUnhandled)
})
afterEach(async () => {
  await flush()
  process.off('unhandledRejection', onUnhandled)
  vi.useRealTimers()
  expect(unhandled).toEqual([])
})

/** What a handle told its listeners, in order: payloads, gaps and errors. */
function record(room: Channel<string>): string[] {
  const log: string[] = []
  room.on('message', (data, { epoch, offset }) => log.push(`${data}@${epoch}:${offset}`))
  room.on('gap', ({ reason, from, to }) => log.push(`gap ${reason} ${from}-${to}`))
  room.on('error', (error) => log.push(`error ${error.code}`))
  return log
}

/** An open socket and a channel `room` on it, joined at offset `top` of epoch e1. */
async function joined(top = 0) {
  const { socket } = setup({ heartbeat: false })
  const ws = await openLink()
  const room = channel<string>(socket, 'room')
  const log = record(room)
  answerJoin(ws, { epoch: 'e1', offset: top })
  await flush()
  return { socket, ws, room, log }
}

/** Drops the link and brings up the next one, after the backoff. */
async function cut(ws: FakeWebSocket): Promise<FakeWebSocket> {
  ws.serverClose(1006)
  await vi.advanceTimersByTimeAsync(5_000)
  return openLink()
}

describe('channel: joining', () => {
  it('joins at once on an open socket, at the top, and delivers live publications in order', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const room = channel<string>(socket, 'room')
    expect(lastJoin(ws).data).toEqual({ channel: 'room', sub: expect.any(String) })
    expect(room.getSnapshot().status).toBe('joining')
    const log = record(room)

    answerJoin(ws, { epoch: 'e1', offset: 7 })
    await flush()
    expect(room.getSnapshot()).toEqual({ status: 'joined', epoch: 'e1', offset: 7, recovered: false, error: null })

    publish(ws, 8, 10)
    expect(log).toEqual(['p8@e1:8', 'p9@e1:9', 'p10@e1:10'])
    expect(room.getSnapshot().offset).toBe(10)
    socket.dispose()
  })

  it('waits for the socket to open, then joins', async () => {
    const { socket } = setup({ heartbeat: false, autoConnect: false })
    const room = channel<string>(socket, 'room')
    socket.open()
    expect(FakeWebSocket.last.messages).toEqual([])
    const ws = await openLink()
    expect(sentOf(ws, '$join')).toHaveLength(1)
    expect(room.getSnapshot().status).toBe('joining')
    socket.dispose()
  })

  it('sends the join as a request without resend, so a new link never carries an old join', async () => {
    const { ws, socket } = await joined()
    const next = await cut(ws)
    expect(sentOf(next, '$join')).toHaveLength(1)
    socket.dispose()
  })

  it('resumes from `since`: the first join asks for what came after it', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const room = channel<string>(socket, 'room', { since: { epoch: 'e1', offset: 17 } })
    const log = record(room)
    expect(lastJoin(ws).data).toEqual({ channel: 'room', since: { epoch: 'e1', offset: 17 }, sub: expect.any(String) })
    answerJoin(ws, { epoch: 'e1', offset: 19, recovered: true })
    publish(ws, 18, 20)
    await flush()
    expect(log).toEqual(['p18@e1:18', 'p19@e1:19', 'p20@e1:20'])
    expect(room.getSnapshot()).toMatchObject({ status: 'joined', offset: 20, recovered: true })
    socket.dispose()
  })
})

describe('channel: recovery after a drop', () => {
  it('rejoins on every new link from the last position delivered, replays, then goes on live', async () => {
    const { ws, socket, room, log } = await joined(0)
    publish(ws, 1, 2)
    const next = await cut(ws)
    expect(room.getSnapshot().status).toBe('joining')
    expect(lastJoin(next).data).toEqual({ channel: 'room', since: { epoch: 'e1', offset: 2 }, sub: expect.any(String) })

    answerJoin(next, { epoch: 'e1', offset: 4, recovered: true })
    await flush()
    publish(next, 3, 6)
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2', 'p3@e1:3', 'p4@e1:4', 'p5@e1:5', 'p6@e1:6'])
    expect(room.getSnapshot()).toMatchObject({ status: 'joined', offset: 6, recovered: true })
    socket.dispose()
  })

  it('a join answered with nothing new keeps the top as the position, so the first drop is recoverable', async () => {
    const { ws, socket, room } = await joined(41)
    const next = await cut(ws)
    expect(lastJoin(next).data.since).toEqual({ epoch: 'e1', offset: 41 })
    expect(room.getSnapshot().offset).toBe(41)
    socket.dispose()
  })

  it('says what the history could not reach with a gap, then continues live from the top', async () => {
    const { ws, socket, room, log } = await joined(0)
    publish(ws, 1, 17)
    log.length = 0
    const next = await cut(ws)
    answerJoin(next, { epoch: 'e1', offset: 20, gap: { reason: 'trimmed', from: 18, to: 20 } })
    await flush()
    publish(next, 21)
    expect(log).toEqual(['gap trimmed 18-20', 'p21@e1:21'])
    expect(room.getSnapshot()).toMatchObject({ offset: 21, recovered: false })
    socket.dispose()
  })

  it('a new epoch is a gap over the new epoch, and the position moves to it', async () => {
    const { ws, socket, room, log } = await joined(5)
    const next = await cut(ws)
    answerJoin(next, { epoch: 'e2', offset: 3, gap: { reason: 'epoch', from: 1, to: 3 } })
    await flush()
    publish(next, 4, 4, 'e2')
    expect(log).toEqual(['gap epoch 1-3', 'p4@e2:4'])
    expect(room.getSnapshot()).toMatchObject({ epoch: 'e2', offset: 4 })
    socket.dispose()
  })

  it('a cut before the answer joins again on the next link, from the same position, without an error', async () => {
    const { ws, socket, log } = await joined(3)
    const second = await cut(ws)
    const third = await cut(second)
    expect(lastJoin(third).data.since).toEqual({ epoch: 'e1', offset: 3 })
    answerJoin(third, { epoch: 'e1', offset: 4, recovered: true })
    publish(third, 4)
    await flush()
    expect(log).toEqual(['p4@e1:4'])
    socket.dispose()
  })

  it('a cut in the middle of the replay resumes after the last publication delivered', async () => {
    const { ws, socket, log } = await joined(0)
    const second = await cut(ws)
    answerJoin(second, { epoch: 'e1', offset: 3, recovered: true })
    await flush()
    publish(second, 1)
    const third = await cut(second)
    expect(lastJoin(third).data.since).toEqual({ epoch: 'e1', offset: 1 })
    answerJoin(third, { epoch: 'e1', offset: 3, recovered: true })
    publish(third, 2, 3)
    await flush()
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2', 'p3@e1:3'])
    socket.dispose()
  })

  it('a cut between the replay and live publications loses nothing', async () => {
    const { ws, socket, log } = await joined(0)
    const second = await cut(ws)
    answerJoin(second, { epoch: 'e1', offset: 2, recovered: true })
    publish(second, 1, 2)
    await flush()
    const third = await cut(second)
    expect(lastJoin(third).data.since).toEqual({ epoch: 'e1', offset: 2 })
    answerJoin(third, { epoch: 'e1', offset: 3, recovered: true })
    publish(third, 3, 4)
    await flush()
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2', 'p3@e1:3', 'p4@e1:4'])
    socket.dispose()
  })

  it('with recover: false, each new link joins at the top and skips what was missed, without a gap', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const room = channel<string>(socket, 'room', { recover: false })
    const log = record(room)
    answerJoin(ws, { epoch: 'e1', offset: 2 })
    await flush()
    const next = await cut(ws)
    expect(lastJoin(next).data).toEqual({ channel: 'room', sub: expect.any(String) })
    answerJoin(next, { epoch: 'e1', offset: 9 })
    await flush()
    publish(next, 10)
    expect(log).toEqual(['p10@e1:10'])
    socket.dispose()
  })
})

describe('channel: each publication once, in order', () => {
  it('drops duplicates, old and new', async () => {
    const { ws, socket, log } = await joined(0)
    publish(ws, 1, 2)
    publish(ws, 2)
    publish(ws, 1)
    publish(ws, 3)
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2', 'p3@e1:3'])
    socket.dispose()
  })

  it('replay frames that arrive in the same turn as the answer are delivered once, in order', async () => {
    const { ws, socket, log } = await joined(0)
    publish(ws, 1)
    const next = await cut(ws)
    // The answer settles a promise; the replay and live frames arrive before it runs.
    answerJoin(next, { epoch: 'e1', offset: 3, recovered: true })
    publish(next, 2, 5)
    publish(next, 3)
    await flush()
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2', 'p3@e1:3', 'p4@e1:4', 'p5@e1:5'])
    socket.dispose()
  })

  it('a jump in offsets is not delivered: it rejoins from the last position, and the replay fills in', async () => {
    const { ws, socket, room, log } = await joined(0)
    publish(ws, 1)
    publish(ws, 3, 4) // 2 was lost between instances
    expect(log).toEqual(['p1@e1:1'])
    expect(sentOf(ws, '$join')).toHaveLength(2)
    expect(lastJoin(ws).data.since).toEqual({ epoch: 'e1', offset: 1 })
    expect(room.getSnapshot().status).toBe('joining')

    publish(ws, 5) // still live from the first join, before the answer
    answerJoin(ws, { epoch: 'e1', offset: 5, recovered: true })
    await flush()
    publish(ws, 2, 6)
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2', 'p3@e1:3', 'p4@e1:4', 'p5@e1:5', 'p6@e1:6'])
    socket.dispose()
  })

  it('a replay that skips an offset is not trusted: the next frame past the top rejoins from the last delivered', async () => {
    const { ws, socket, log } = await joined(0)
    const next = await cut(ws)
    answerJoin(next, { epoch: 'e1', offset: 3, recovered: true })
    await flush()
    publish(next, 1)
    publish(next, 3)
    expect(sentOf(next, '$join')).toHaveLength(1)
    publish(next, 4)
    expect(lastJoin(next).data.since).toEqual({ epoch: 'e1', offset: 1 })
    answerJoin(next, { epoch: 'e1', offset: 4, recovered: true })
    publish(next, 2, 4)
    await flush()
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2', 'p3@e1:3', 'p4@e1:4'])
    socket.dispose()
  })

  it('a publication of another epoch mid-stream rejoins from the last position', async () => {
    const { ws, socket, log } = await joined(4)
    publish(ws, 1, 1, 'e2')
    expect(log).toEqual([])
    expect(lastJoin(ws).data.since).toEqual({ epoch: 'e1', offset: 4 })
    answerJoin(ws, { epoch: 'e2', offset: 1, gap: { reason: 'epoch', from: 1, to: 1 } })
    await flush()
    publish(ws, 2, 2, 'e2')
    expect(log).toEqual(['gap epoch 1-1', 'p2@e2:2'])
    socket.dispose()
  })

  it('ignores publications of other channels and messages that only look like them', async () => {
    const { ws, socket, log } = await joined(0)
    publish(ws, 1, 1, 'e1', 'other')
    ws.serverSend({ ch: 'room', e: 'e1', o: '1' })
    ws.serverSend({ type: 'chat', data: { ch: 'room', e: 'e1', o: 1 } })
    expect(log).toEqual([])
    socket.dispose()
  })

  it('publications also reach the socket as message events', async () => {
    const { ws, socket } = await joined(0)
    const seen: unknown[] = []
    socket.on('message', (message) => seen.push(message))
    publish(ws, 1)
    expect(seen).toEqual([{ ch: 'room', e: 'e1', o: 1, data: 'p1' }])
    socket.dispose()
  })
})

describe('channel: refused joins and failures', () => {
  it('a refused join fails the channel with JOIN_REFUSED and is not retried on the next link', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const room = channel<string>(socket, 'room')
    const log = record(room)
    refuseJoin(ws)
    await flush()
    expect(log).toEqual(['error JOIN_REFUSED'])
    const { status, error } = room.getSnapshot()
    expect(status).toBe('failed')
    expect(error).toMatchObject({ code: 'JOIN_REFUSED', message: 'not allowed', cause: { code: 'JOIN_REFUSED' } })

    const next = await cut(ws)
    expect(sentOf(next, '$join')).toEqual([])
    socket.dispose()
  })

  it('rejoin() or a new channel() asks again after a refusal', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const room = channel<string>(socket, 'room')
    refuseJoin(ws)
    await flush()
    room.rejoin()
    expect(sentOf(ws, '$join')).toHaveLength(2)
    expect(room.getSnapshot().status).toBe('joining')
    refuseJoin(ws)
    await flush()
    const again = channel<string>(socket, 'room')
    expect(sentOf(ws, '$join')).toHaveLength(3)
    answerJoin(ws, { epoch: 'e1', offset: 0 })
    await flush()
    expect(room.getSnapshot()).toMatchObject({ status: 'joined', error: null })
    expect(again.getSnapshot()).toBe(room.getSnapshot())
    socket.dispose()
  })

  it('a join that times out is reported and tried again on the next link', async () => {
    const { socket } = setup({ heartbeat: false, requestTimeout: 1000 })
    const ws = await openLink()
    const room = channel<string>(socket, 'room')
    const log = record(room)
    await vi.advanceTimersByTimeAsync(1000)
    expect(log).toEqual(['error REQUEST_TIMEOUT'])
    expect(room.getSnapshot()).toMatchObject({ status: 'joining', error: { code: 'REQUEST_TIMEOUT' } })
    const next = await cut(ws)
    expect(sentOf(next, '$join')).toHaveLength(1)
    socket.dispose()
  })

  it('a handler that throws is reported as HANDLER_FAILED and the other handlers still run', async () => {
    const { ws, socket, room, log } = await joined(0)
    const after: number[] = []
    room.on('message', () => {
      throw new Error('boom')
    })
    room.on('message', (_data, { offset }) => after.push(offset))
    publish(ws, 1)
    expect(log).toEqual(['p1@e1:1', 'error HANDLER_FAILED'])
    expect(after).toEqual([1])
    socket.dispose()
  })
})

describe('channel: sharing and leaving', () => {
  it('two handles of one name share one wire subscription, each with its own listeners', async () => {
    const { ws, socket, room, log } = await joined(0)
    const other = channel<string>(socket, 'room')
    const otherLog = record(other)
    expect(sentOf(ws, '$join')).toHaveLength(1)
    publish(ws, 1)
    expect(log).toEqual(['p1@e1:1'])
    expect(otherLog).toEqual(['p1@e1:1'])

    room.leave()
    expect(room.getSnapshot().status).toBe('left')
    expect(sentOf(ws, '$leave')).toEqual([])
    publish(ws, 2)
    expect(log).toEqual(['p1@e1:1'])
    expect(otherLog).toEqual(['p1@e1:1', 'p2@e1:2'])

    other.leave()
    other.leave()
    const [{ data: left }] = sentOf(ws, '$leave') as [{ data: { sub: string } }]
    expect(left).toEqual({ channel: 'room', sub: (lastJoin(ws).data as { sub: string }).sub })
    socket.dispose()
  })

  it('after the last leave a new channel() joins afresh', async () => {
    const { ws, socket, room } = await joined(3)
    room.leave()
    channel<string>(socket, 'room')
    const joins = sentOf(ws, '$join').map((join) => join.data as { channel: string; sub: string })
    expect(joins).toEqual([
      { channel: 'room', sub: expect.any(String) },
      { channel: 'room', sub: expect.any(String) },
    ])
    expect(joins[1]?.sub).not.toBe(joins[0]?.sub) // a new subscription, a new subscriber
    socket.dispose()
  })

  it('leaving while offline sends nothing, and the next link does not join', async () => {
    const { ws, socket, room } = await joined(3)
    ws.serverClose(1006)
    room.leave()
    await vi.advanceTimersByTimeAsync(5_000)
    const next = await openLink()
    expect(next.messages).toEqual([])
    socket.dispose()
  })

  it('the socket closing for good leaves every handle, without $leave; so does dispose', async () => {
    const { ws, socket, room } = await joined(3)
    const states: string[] = []
    room.subscribe(() => states.push(room.getSnapshot().status))
    socket.close()
    expect(states).toEqual(['left'])
    expect(room.getSnapshot()).toMatchObject({ status: 'left', epoch: 'e1', offset: 3 })
    expect(sentOf(ws, '$leave')).toEqual([])

    const { socket: second } = setup({ heartbeat: false })
    await openLink()
    const other = channel<string>(second, 'room')
    second.dispose()
    expect(other.getSnapshot().status).toBe('left')
  })

  it('a channel on a socket that was closed and opened again joins anew', async () => {
    const { socket, room } = await joined(3)
    socket.close()
    socket.open()
    const ws = await openLink()
    expect(ws.messages).toEqual([])
    const again = channel<string>(socket, 'room')
    expect(sentOf(ws, '$join')).toHaveLength(1)
    expect(room.getSnapshot().status).toBe('left')
    expect(again.getSnapshot().status).toBe('joining')
    socket.dispose()
  })

  it('leaves nothing listening on the socket after the last leave', async () => {
    const { ws, socket, room } = await joined(0)
    room.leave()
    const next = await cut(ws)
    expect(next.messages).toEqual([])
    socket.dispose()
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('channel: publish', () => {
  it('is a $publish request that resolves with the position', async () => {
    const { ws, socket, room } = await joined(0)
    const published = room.publish('hi')
    const [request] = sentOf(ws, '$publish')
    expect(request?.data).toEqual({ channel: 'room', data: 'hi' })
    ws.serverSend({ re: request?.id, data: { epoch: 'e1', offset: 1 } })
    await expect(published).resolves.toEqual({ epoch: 'e1', offset: 1 })
    socket.dispose()
  })

  it('rejects with PUBLISH_REFUSED when the server refuses, with its error as cause', async () => {
    const { ws, socket, room } = await joined(0)
    const published = room.publish('hi')
    ws.serverSend({ re: sentOf(ws, '$publish')[0]?.id, error: { code: 'PUBLISH_REFUSED', message: 'read only' } })
    await expect(published).rejects.toMatchObject({ code: 'PUBLISH_REFUSED', message: 'read only' })
    socket.dispose()
  })

  it('is queued while offline and sent with the same id after a drop', async () => {
    const { ws, socket, room } = await joined(0)
    const first = room.publish('hi')
    const id = sentOf(ws, '$publish')[0]?.id
    const next = await cut(ws)
    expect(sentOf(next, '$publish').map((p) => p.id)).toEqual([id])
    next.serverSend({ re: id, data: { epoch: 'e1', offset: 1 } })
    await expect(first).resolves.toEqual({ epoch: 'e1', offset: 1 })
    socket.dispose()
  })

  it('rejects with REQUEST_LOST when the socket closes for good', async () => {
    const { socket, room } = await joined(0)
    const published = room.publish('hi')
    socket.close()
    await expect(published).rejects.toMatchObject({ code: 'REQUEST_LOST' })
  })
})

describe('channel: bad input', () => {
  it('refuses a name that is not a string of 1 to 256 characters, and unknown or bad options', () => {
    const { socket } = setup({ heartbeat: false })
    for (const name of ['', 'x'.repeat(257), 42, undefined]) {
      expect(() => channel(socket, name as string)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
    }
    const bad = [
      { recovr: true },
      { recover: 'yes' },
      { since: { epoch: 1, offset: 0 } },
      { since: { epoch: 'e', offset: -1 } },
    ]
    for (const options of bad) {
      expect(() => channel(socket, 'room', options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      )
    }
    expect(channel(socket, 'x'.repeat(256)).name).toHaveLength(256)
    socket.dispose()
  })

  it('throws DISPOSED on a disposed socket', () => {
    const { socket } = setup({ heartbeat: false })
    socket.dispose()
    expect(() => channel(socket, 'room')).toThrow(expect.objectContaining({ code: 'DISPOSED' }))
  })
})

describe('channel: calls from inside handlers', () => {
  it('leave() from a message handler stops delivery to that handle at once', async () => {
    const { ws, socket, room, log } = await joined(0)
    room.on('message', (_data, { offset }) => offset === 2 && room.leave())
    const next = await cut(ws)
    answerJoin(next, { epoch: 'e1', offset: 4, recovered: true })
    publish(next, 1, 4)
    await flush()
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2'])
    expect(sentOf(next, '$leave')).toHaveLength(1)
    socket.dispose()
  })

  it('one handle leaving from its handler does not cost the other handle a publication', async () => {
    const { ws, socket, room, log } = await joined(0)
    const other = channel<string>(socket, 'room')
    const otherLog = record(other)
    room.on('message', () => room.rejoin())
    other.on('message', () => other.leave())
    publish(ws, 1)
    expect(log).toEqual(['p1@e1:1'])
    expect(otherLog).toEqual(['p1@e1:1'])
    socket.dispose()
  })

  it('rejoin() from a handler during a replay drops the rest of it and resumes after the last delivered', async () => {
    const { ws, socket, room, log } = await joined(0)
    let once = true
    room.on('message', (_data, { offset }) => {
      if (offset === 2 && once) {
        once = false
        room.rejoin()
      }
    })
    const next = await cut(ws)
    answerJoin(next, { epoch: 'e1', offset: 4, recovered: true })
    publish(next, 1, 4)
    await flush()
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2'])
    expect(lastJoin(next).data.since).toEqual({ epoch: 'e1', offset: 2 })
    answerJoin(next, { epoch: 'e1', offset: 4, recovered: true })
    publish(next, 3, 4)
    await flush()
    expect(log).toEqual(['p1@e1:1', 'p2@e1:2', 'p3@e1:3', 'p4@e1:4'])
    socket.dispose()
  })

  it('channel(), publish() and getSnapshot() from state and gap handlers', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const room = channel<string>(socket, 'room', { since: { epoch: 'e0', offset: 9 } })
    const seen: string[] = []
    let other: Channel<string> | undefined
    room.on('state', (snapshot) => {
      seen.push(`${snapshot.status} ${room.getSnapshot().offset}`)
      other ??= channel<string>(socket, 'room')
    })
    room.on('gap', () => void room.publish('after the gap').catch(() => {}))
    answerJoin(ws, { epoch: 'e1', offset: 2, gap: { reason: 'epoch', from: 1, to: 2 } })
    await flush()
    expect(seen).toEqual(['joined 2'])
    expect(other?.getSnapshot()).toBe(room.getSnapshot())
    expect(sentOf(ws, '$join')).toHaveLength(1)
    expect(sentOf(ws, '$publish')[0]?.data).toEqual({ channel: 'room', data: 'after the gap' })
    socket.dispose()
  })

  it('socket.dispose() from a message handler during a replay leaves the channel, delivering nothing more', async () => {
    const { ws, socket, room, log } = await joined(0)
    room.on('message', (_data, { offset }) => offset === 1 && socket.dispose())
    const next = await cut(ws)
    answerJoin(next, { epoch: 'e1', offset: 3, recovered: true })
    publish(next, 1, 3)
    await flush()
    expect(log).toEqual(['p1@e1:1'])
    expect(room.getSnapshot().status).toBe('left')
  })

  it('socket.close() from a live message handler leaves the channel', async () => {
    const { ws, socket, room, log } = await joined(0)
    room.on('message', () => socket.close())
    publish(ws, 1)
    expect(log).toEqual(['p1@e1:1'])
    expect(room.getSnapshot().status).toBe('left')
    expect(sentOf(ws, '$leave')).toEqual([])
  })

  it('leave() from an error handler after a refusal, and the socket goes on', async () => {
    const { socket } = setup({ heartbeat: false })
    const ws = await openLink()
    const room = channel<string>(socket, 'room')
    room.on('error', () => room.leave())
    refuseJoin(ws)
    await flush()
    expect(room.getSnapshot().status).toBe('left')
    expect(sentOf(ws, '$leave')).toEqual([])
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })
})
