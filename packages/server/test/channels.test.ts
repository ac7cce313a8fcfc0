// Channels with recovery on a real `ws` server, spoken by raw clients frame by frame: joins with
// and without `since`, replays and gaps, publications, refusals, limits and bad input.
import type { ChannelPublication, History, HistoryHost, Position, Replay } from '@lifeline/server'
import { memoryAdapter, memoryHistory } from '@lifeline/server'
import { describe, expect, it } from 'vitest'
import { channelClient } from './support/channelClient.js'
import { gate, startHub } from './support/hub.js'

/** The publication frame a client receives. */
const publication = (ch: string, e: string, o: number, data?: unknown) =>
  data === undefined ? { ch, e, o } : { ch, e, o, data }

describe('joining a channel', () => {
  it('answers a join of a channel never published to with its position, then sends publications live', async () => {
    const { hub, url } = await startHub()
    const client = await channelClient(url)
    const reply = await client.join('room:1')
    expect(reply).toEqual({ re: expect.any(String), data: { epoch: expect.any(String), offset: 0, recovered: false } })
    const { epoch } = reply.data as Position
    expect(await hub.publish('room:1', { text: 'hi' })).toEqual({ epoch, offset: 1 })
    await client.received(2)
    expect(client.frames[1]).toEqual(publication('room:1', epoch, 1, { text: 'hi' }))
  })

  it('replays what was missed after `since`, in order, right after the reply, then continues live', async () => {
    const { hub, url } = await startHub()
    const first = await channelClient(url)
    const { epoch } = (await first.join('room:1')).data as Position
    first.cut()
    for (const n of [1, 2, 3]) await hub.publish('room:1', n)

    const back = await channelClient(url)
    const reply = await back.join('room:1', { epoch, offset: 1 })
    expect(reply.data).toEqual({ epoch, offset: 3, recovered: true })
    await hub.publish('room:1', 4)
    await back.received(4)
    expect(back.frames).toEqual([
      reply,
      publication('room:1', epoch, 2, 2),
      publication('room:1', epoch, 3, 3),
      publication('room:1', epoch, 4, 4),
    ])
  })

  it('answers a join from the top with nothing to replay as recovered, however long the client was away', async () => {
    const { hub, url } = await startHub({ history: { size: 10, ttl: 1 } })
    const top = await hub.publish('room:1', 'last')
    const client = await channelClient(url)
    await hub.publish('other', 'time passes') // ttl is 1 ms: every entry is older than that by now
    expect((await client.join('room:1', top)).data).toEqual({ ...top, recovered: true })
  })

  it('answers a gap, with nothing replayed, when more than the history keeps was missed', async () => {
    const { hub, url } = await startHub({ history: { size: 3 } })
    const start = await hub.publish('room:1', 1)
    for (const n of [2, 3, 4, 5, 6]) await hub.publish('room:1', n)
    const client = await channelClient(url)
    const reply = await client.join('room:1', start)
    expect(reply.data).toEqual({
      epoch: start.epoch,
      offset: 6,
      recovered: false,
      gap: { reason: 'trimmed', from: 2, to: 6 },
    })
    await hub.publish('room:1', 7)
    await client.received(2)
    expect(client.frames[1]).toEqual(publication('room:1', start.epoch, 7, 7))
  })

  it('answers a gap for missed publications that expired by age', async () => {
    const { hub, url } = await startHub({ history: { size: 10, ttl: 1 } })
    const start = await hub.publish('room:1', 1)
    const missed = await hub.publish('room:1', 2)
    const client = await channelClient(url)
    await hub.publish('other', 'time passes')
    expect((await client.join('room:1', start)).data).toEqual({
      ...missed,
      recovered: false,
      gap: { reason: 'trimmed', from: 2, to: 2 },
    })
  })

  it('answers an epoch gap for a position of another epoch, from 1 to the top (an empty range when nothing was published)', async () => {
    const { hub, url } = await startHub()
    const client = await channelClient(url)
    const empty = await client.join('room:empty', { epoch: 'gone', offset: 12 })
    expect(empty.data).toEqual({
      epoch: expect.any(String),
      offset: 0,
      recovered: false,
      gap: { reason: 'epoch', from: 1, to: 0 },
    })
    const { epoch } = await hub.publish('room:1', 1)
    await hub.publish('room:1', 2)
    expect((await client.join('room:1', { epoch: 'gone', offset: 1 })).data).toEqual({
      epoch,
      offset: 2,
      recovered: false,
      gap: { reason: 'epoch', from: 1, to: 2 },
    })
  })

  it('answers a position ahead of the top with a trimmed gap of nothing, not an error', async () => {
    const { hub, url } = await startHub()
    const { epoch } = await hub.publish('room:1', 1)
    const client = await channelClient(url)
    expect((await client.join('room:1', { epoch, offset: 40 })).data).toEqual({
      epoch,
      offset: 1,
      recovered: false,
      gap: { reason: 'trimmed', from: 2, to: 1 },
    })
  })

  it('answers a rejoin on the same connection with a replay again, and sends each live publication once', async () => {
    const { hub, url } = await startHub()
    const client = await channelClient(url)
    const { epoch } = (await client.join('room:1')).data as Position
    await hub.publish('room:1', 1)
    await hub.publish('room:1', 2)
    const rejoin = await client.join('room:1', { epoch, offset: 0 })
    await hub.publish('room:1', 3)
    await client.received(7)
    expect(client.frames.slice(1)).toEqual([
      publication('room:1', epoch, 1, 1),
      publication('room:1', epoch, 2, 2),
      rejoin,
      publication('room:1', epoch, 1, 1),
      publication('room:1', epoch, 2, 2),
      publication('room:1', epoch, 3, 3),
    ])
  })

  it('stops sending a channel after $leave, and keeps sending the others', async () => {
    const { hub, url } = await startHub()
    const client = await channelClient(url)
    await client.join('a')
    const { epoch } = (await client.join('b')).data as Position
    client.send({ type: '$leave', data: { channel: 'a' } })
    await client.join('c') // answered after the leave was read
    await hub.publish('a', 'not for you')
    await hub.publish('b', 'for you')
    await client.received(4)
    expect(client.frames[3]).toEqual(publication('b', epoch, 1, 'for you'))
  })

  it('keeps a connection in a channel until every subscriber on it has left (tabs sharing one connection)', async () => {
    const { hub, url } = await startHub()
    const left: string[] = []
    hub.on('leave', (_peer, channel) => left.push(channel))
    const client = await channelClient(url)
    const { epoch } = (await client.request('$join', { channel: 'room', sub: 'tab-a' })).data as Position
    await client.request('$join', { channel: 'room', sub: 'tab-b' })
    await client.request('$join', { channel: 'room', sub: 'tab-b' }) // a rejoin: still two subscribers
    client.send({ type: '$leave', data: { channel: 'room', sub: 'tab-a' } })
    await client.join('other') // answered after the leave was read
    await hub.publish('room', 'still joined through tab-b')
    await client.waitFor((frame) => frame.ch === 'room', 'the publication')
    expect(left).toEqual([])
    client.send({ type: '$leave', data: { channel: 'room', sub: 'tab-b' } })
    await client.join('third')
    await hub.publish('room', 'nobody left')
    await hub.publish('other', 'marker')
    await client.waitFor((frame) => frame.ch === 'other', 'the marker')
    expect(client.publications().filter((frame) => frame.ch === 'room')).toEqual([
      publication('room', epoch, 1, 'still joined through tab-b'),
    ])
    expect(left).toEqual(['room'])
  })

  it('refuses a join whose sub is not a short string, and ignores such a leave', async () => {
    const { hub, url } = await startHub()
    const client = await channelClient(url)
    const reply = await client.request('$join', { channel: 'room', sub: 'x'.repeat(65) })
    expect(reply.error).toMatchObject({ code: 'JOIN_REFUSED' })
    await client.request('$join', { channel: 'room', sub: 'a' })
    client.send({ type: '$leave', data: { channel: 'room', sub: 7 } })
    await client.join('other')
    await hub.publish('room', 'still joined')
    await client.waitFor((frame) => frame.ch === 'room', 'the publication')
  })
})

/**
 * A history whose reads the test releases, and whose deliveries it can hold back and release:
 * a Redis history's reply and its pub/sub messages arrive in any order, on two connections.
 */
function slowHistory() {
  const inner = memoryHistory()
  const reads: Array<() => void> = []
  const deliveries: ChannelPublication[] = []
  let reading = gate()
  let host: HistoryHost
  let holding = false
  const history: History = {
    start(given) {
      host = given
      return inner.start({
        ...given,
        deliver(publication) {
          if (holding) deliveries.push(publication)
          else given.deliver(publication)
        },
      })
    },
    append: (channel, data) => inner.append(channel, data),
    top: (channel) => inner.top(channel),
    reset: (channel) => inner.reset(channel),
    // Read now, answered when released.
    since(channel, position, limit) {
      const replay = inner.since(channel, position, limit) as Replay
      const answer = gate<Replay>()
      reads.push(() => answer.open(replay))
      reading.open()
      return answer.promise
    },
    close: () => inner.close(),
  }
  return {
    history,
    /** Resolves when a read starts. */
    read: () => reading.promise,
    /** Answers the reads made so far. */
    releaseReads: () => {
      for (const release of reads.splice(0)) release()
      reading = gate()
    },
    holdDeliveries: () => {
      holding = true
    },
    /** Delivers the first `count` deliveries held (all when not given), and stops holding. */
    releaseDeliveries: (count = deliveries.length) => {
      holding = false
      for (const publication of deliveries.splice(0, count)) host.deliver(publication)
    },
  }
}

describe('the order of a join: reply, replay, then live', () => {
  it('holds back publications made while the history is read, and sends them after the replay', async () => {
    const slow = slowHistory()
    const { hub, url } = await startHub({ adapter: { ...memoryAdapter(), history: slow.history } })
    const start = await hub.publish('room:1', 1)
    const client = await channelClient(url)
    client.send({ type: '$join', id: 'j1', data: { channel: 'room:1', since: { ...start, offset: 0 } } })
    await slow.read()
    await hub.publish('room:1', 2) // while the read (top 1) is under way
    await hub.publish('room:1', 3)
    slow.releaseReads()
    await client.received(4)
    expect(client.frames).toEqual([
      { re: 'j1', data: { ...start, recovered: true } },
      publication('room:1', start.epoch, 1, 1),
      publication('room:1', start.epoch, 2, 2),
      publication('room:1', start.epoch, 3, 3),
    ])
  })

  it('skips a publication the replay covered, whether it arrives during the read or after the reply', async () => {
    const slow = slowHistory()
    const { hub, url } = await startHub({ adapter: { ...memoryAdapter(), history: slow.history } })
    const { epoch } = await hub.publish('room:1', 1)
    const client = await channelClient(url)
    slow.holdDeliveries() // 2 and 3 are appended before the read and delivered after it started
    await hub.publish('room:1', 2)
    await hub.publish('room:1', 3)
    const joined = client.join('room:1', { epoch, offset: 1 })
    await slow.read()
    slow.releaseDeliveries(1) // 2 arrives during the read
    slow.holdDeliveries()
    await hub.publish('room:1', 4) // appended after the read: live
    slow.releaseReads()
    expect((await joined).data).toEqual({ epoch, offset: 3, recovered: true })
    slow.releaseDeliveries() // 3 arrives after the reply, then 4
    await hub.publish('room:1', 5)
    await client.received(5)
    expect(client.frames.slice(1)).toEqual([2, 3, 4, 5].map((n) => publication('room:1', epoch, n, n)))
  })
})

describe('publishing', () => {
  it('answers $publish with the position and sends the publication to every member, the publisher too', async () => {
    const { url } = await startHub()
    const [ada, grace, outsider] = [await channelClient(url), await channelClient(url), await channelClient(url)]
    const { epoch } = (await ada.join('room:1')).data as Position
    await grace.join('room:1')
    const reply = await ada.publish('room:1', { text: 'hi' })
    expect(reply.data).toEqual({ epoch, offset: 1 })
    await outsider.publish('room:1', { text: 'from outside' }) // joining is not needed to publish
    for (const client of [ada, grace]) {
      await client.waitFor((frame) => frame.o === 2, 'the second publication')
      expect(client.publications()).toEqual([
        publication('room:1', epoch, 1, { text: 'hi' }),
        publication('room:1', epoch, 2, { text: 'from outside' }),
      ])
    }
    expect(outsider.publications()).toEqual([])
  })

  it('publishes a resent $publish once: the same id is answered with the first position', async () => {
    const { hub, url } = await startHub()
    const member = await channelClient(url)
    const { epoch } = (await member.join('room:1')).data as Position
    const first = await channelClient(url)
    expect((await first.publish('room:1', 'once', 'same-id')).data).toEqual({ epoch, offset: 1 })
    first.cut()
    const again = await channelClient(url) // the client's resend after a drop
    expect((await again.publish('room:1', 'once', 'same-id')).data).toEqual({ epoch, offset: 1 })
    await hub.publish('room:1', 'next')
    await member.received(3)
    expect(member.publications()).toEqual([
      publication('room:1', epoch, 1, 'once'),
      publication('room:1', epoch, 2, 'next'),
    ])
    expect(hub.stats()).toMatchObject({ publications: 2, duplicates: 1 })
  })

  it('publishes a publication without data as a frame without data', async () => {
    const { hub, url } = await startHub()
    const client = await channelClient(url)
    const { epoch } = (await client.join('room:1')).data as Position
    await client.request('$publish', { channel: 'room:1' })
    await hub.publish('room:1', undefined)
    await client.received(4)
    expect(client.publications()).toEqual([publication('room:1', epoch, 1), publication('room:1', epoch, 2)])
  })

  it('rejects hub.publish with a bad channel name or a payload JSON cannot carry', async () => {
    const { hub } = await startHub()
    await expect(hub.publish('', 1)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    await expect(hub.publish('x'.repeat(257), 1)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    await expect(hub.publish(42 as unknown as string, 1)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    await expect(hub.publish('room:1', { n: 1n })).rejects.toMatchObject({ code: 'ENCODE_FAILED' })
    expect(await hub.publish('room:1', 'fine')).toMatchObject({ offset: 1 })
  })
})

describe('authorize', () => {
  it('asks for every join and publish with the peer and the action; true allows, false refuses', async () => {
    const asked: Array<[string, string, string]> = []
    const { hub, url } = await startHub<{}, {}, {}, {}, { user: string }>({
      authorize: (peer, channel, action) => {
        asked.push([peer.data.user, channel, action])
        return !channel.startsWith('user:') || channel === `user:${peer.data.user}`
      },
    })
    hub.on('connection', (peer) => {
      peer.data = { user: '42' }
    })
    const client = await channelClient(url)
    expect((await client.join('user:42')).data).toMatchObject({ offset: 0 })
    expect(await client.join('user:7')).toEqual({
      re: expect.any(String),
      error: { code: 'JOIN_REFUSED', message: 'not allowed to join "user:7"' },
    })
    expect((await client.publish('user:7', 'hi')).error).toEqual({
      code: 'PUBLISH_REFUSED',
      message: 'not allowed to publish into "user:7"',
    })
    expect(asked).toEqual([
      ['42', 'user:42', 'join'],
      ['42', 'user:7', 'join'],
      ['42', 'user:7', 'publish'],
    ])
    expect(await hub.publish('user:7', 'the server may')).toMatchObject({ offset: 1 })
  })

  it('refuses when authorize throws, rejects, or resolves anything but true; allows when it resolves true', async () => {
    const answers: Record<string, () => unknown> = {
      throws: () => {
        throw new Error('no')
      },
      rejects: () => Promise.reject(new Error('no')),
      undefined: () => undefined,
      truthy: () => Promise.resolve('yes'),
      allowed: () => Promise.resolve(true),
    }
    const { url } = await startHub({ authorize: (_peer, channel) => answers[channel]?.() as boolean })
    const client = await channelClient(url)
    for (const channel of ['throws', 'rejects', 'undefined', 'truthy']) {
      expect((await client.join(channel)).error).toMatchObject({ code: 'JOIN_REFUSED' })
      expect((await client.publish(channel, 1)).error).toMatchObject({ code: 'PUBLISH_REFUSED' })
    }
    expect((await client.join('allowed')).data).toMatchObject({ offset: 0 })
    expect((await client.publish('allowed', 1)).data).toMatchObject({ offset: 1 })
  })

  it('takes a peer out of a channel whose rejoin is refused: no more publications, and `leave`', async () => {
    let allowed = true
    const { hub, url } = await startHub({ authorize: () => allowed })
    const left: string[] = []
    hub.on('leave', (_peer, channel) => left.push(channel))
    const client = await channelClient(url)
    await client.join('room:1')
    allowed = false
    expect((await client.join('room:1')).error).toMatchObject({ code: 'JOIN_REFUSED' })
    expect(left).toEqual(['room:1'])
    await hub.publish('room:1', 'not for you')
    allowed = true
    await client.join('other') // answered after anything room:1 could have sent
    expect(client.publications()).toEqual([])
  })

  it('answers the protocol codes whatever formatError does with other errors', async () => {
    const { url } = await startHub({ authorize: () => false, formatError: () => ({ message: 'hidden' }) })
    const client = await channelClient(url)
    expect((await client.publish('room:1', 1)).error).toMatchObject({ code: 'PUBLISH_REFUSED' })
  })
})

describe('join and leave events', () => {
  it('emits join once per peer and channel, and leave on $leave and when the connection ends', async () => {
    const { hub, url } = await startHub()
    const events: string[] = []
    hub.on('join', (peer, channel) => events.push(`join ${channel} ${typeof peer.id}`))
    hub.on('leave', (_peer, channel) => events.push(`leave ${channel}`))
    const client = await channelClient(url)
    await client.join('a')
    await client.join('a') // a rejoin on the same connection
    await client.join('b')
    client.send({ type: '$leave', data: { channel: 'a' } })
    client.send({ type: '$leave', data: { channel: 'never joined' } })
    await client.join('c')
    const left = new Promise((resolve) => hub.on('leave', (_peer, channel) => channel === 'c' && resolve(channel)))
    client.ws.close()
    await left
    expect(events).toEqual(['join a string', 'join b string', 'leave a', 'join c string', 'leave b', 'leave c'])
  })
})

describe('limits and bad input', () => {
  it('refuses a channel name that is not a string of 1 to 256 characters, and takes one of 256', async () => {
    const { url } = await startHub()
    const client = await channelClient(url)
    const rule = { code: 'JOIN_REFUSED', message: 'a channel name is a string of 1 to 256 characters' }
    for (const name of ['', 'x'.repeat(257), 42, null, ['room'], { name: 'room' }, undefined]) {
      expect((await client.join(name)).error).toEqual(rule)
      expect((await client.publish(name, 1)).error).toEqual({ ...rule, code: 'PUBLISH_REFUSED' })
    }
    expect((await client.join('x'.repeat(256))).data).toMatchObject({ offset: 0 })
    expect((await client.join('☃'.repeat(256))).data).toMatchObject({ offset: 0 })
  })

  it('refuses a join past maxChannels; a rejoin and a join after a leave are not one more', async () => {
    const { url } = await startHub({ maxChannels: 2 })
    const client = await channelClient(url)
    await client.join('a')
    await client.join('b')
    expect(await client.join('c')).toMatchObject({
      error: { code: 'JOIN_REFUSED', message: 'a peer is in at most 2 channels' },
    })
    expect((await client.join('b')).data).toMatchObject({ offset: 0 })
    client.send({ type: '$leave', data: { channel: 'a' } })
    expect((await client.join('c')).data).toMatchObject({ offset: 0 })
  })

  it('refuses a join whose `since` is not a position, with what it must be', async () => {
    const { url } = await startHub()
    const client = await channelClient(url)
    const rule = { code: 'JOIN_REFUSED', message: 'since must be { epoch: string, offset: integer >= 0 }' }
    for (const since of ['e1:17', 17, [], { epoch: 'e1' }, { offset: 1 }, { epoch: 1, offset: 1 }]) {
      expect((await client.join('room:1', since)).error).toEqual(rule)
    }
    for (const offset of [-1, 1.5, '3', 2 ** 53, null]) {
      expect((await client.join('room:1', { epoch: 'e1', offset })).error).toEqual(rule)
    }
    expect((await client.join('room:1', null)).data).toMatchObject({ recovered: false })
  })

  it('reads `__proto__` keys as plain keys: no channel from a prototype, and a channel of that name is a channel', async () => {
    const { hub, url } = await startHub()
    const client = await channelClient(url)
    client.send('{"type":"$join","id":"p1","data":{"__proto__":{"channel":"room:1"}}}')
    expect(await client.waitFor((frame) => frame.re === 'p1', 'the reply')).toMatchObject({
      error: { code: 'JOIN_REFUSED' },
    })
    client.send('{"type":"$join","id":"p2","data":{"channel":"room:1","since":{"__proto__":{"epoch":"e","offset":0}}}}')
    expect(await client.waitFor((frame) => frame.re === 'p2', 'the reply')).toMatchObject({
      error: { code: 'JOIN_REFUSED' },
    })
    const { epoch } = (await client.join('__proto__')).data as Position
    await hub.publish('__proto__', 1)
    await hub.publish('constructor', 2)
    await client.waitFor((frame) => frame.o === 1, 'the publication')
    expect(client.publications()).toEqual([publication('__proto__', epoch, 1, 1)])
  })

  it('answers a request of an unknown $ type with NO_HANDLER, ignores unknown $ messages, and never hands $ types to the app', async () => {
    const { hub, url } = await startHub()
    const seen: string[] = []
    hub.on('connection', (peer) => {
      peer.on('message', ({ type }) => seen.push(type))
      expect(() => peer.handle('$join', () => 1)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
    })
    const client = await channelClient(url)
    expect((await client.request('$subscribe', { channel: 'a' })).error).toMatchObject({ code: 'NO_HANDLER' })
    expect((await client.request('$leave', { channel: 'a' })).error).toMatchObject({ code: 'NO_HANDLER' })
    client.send({ type: '$join', data: { channel: 'a' } }) // a join must be a request
    client.send({ type: '$leave', data: 'a' })
    client.send({ type: '$whatever' })
    client.send({ type: 'chat' })
    expect((await client.join('b')).data).toMatchObject({ offset: 0 })
    expect(seen).toEqual(['chat'])
    expect(hub.stats()).toMatchObject({ unhandled: 5, joins: 1 })
  })

  it('answers UNAVAILABLE, and reports, when the history fails; the channel is not joined', async () => {
    const broken: History = {
      ...memoryHistory(),
      since: () => Promise.reject(new Error('history down')),
      top: () => {
        throw new Error('history down')
      },
      append: () => Promise.reject(new Error('history down')),
    }
    const { hub, url } = await startHub({ adapter: { ...memoryAdapter(), history: broken } })
    const errors: string[] = []
    hub.on('error', (error) => errors.push(error.code))
    const client = await channelClient(url)
    expect((await client.join('a')).error).toMatchObject({ code: 'UNAVAILABLE' })
    expect((await client.join('a', { epoch: 'e', offset: 0 })).error).toMatchObject({ code: 'UNAVAILABLE' })
    expect((await client.publish('a', 1)).error).toMatchObject({ code: 'UNAVAILABLE' })
    await expect(hub.publish('a', 1)).rejects.toMatchObject({ code: 'ADAPTER_FAILED' })
    expect(errors).toEqual(['ADAPTER_FAILED', 'ADAPTER_FAILED', 'ADAPTER_FAILED'])
  })
})
