// Channels across two server processes on one real redis-server: a publication made on one
// instance reaches members on the other, a member whose link is cut recovers on either instance
// from Redis, and positions survive a restart of every server process.
import { randomUUID } from 'node:crypto'
import type { Position } from '@lifeline/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channelClient } from './support/channelClient.js'
import { startInstance } from './support/cluster.js'
import { type RedisServer, requireRedisServer, startRedis } from './support/redis.js'

const redisServer = requireRedisServer()

describe.skipIf(!redisServer)('channels across server processes sharing one Redis', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
  })
  afterAll(() => redis?.stop())

  it('recovers on instance one what was published on one while the link to instance two was cut', async () => {
    const prefix = `channels:${randomUUID()}:`
    const [one, two] = await Promise.all([
      startInstance('one', redis.url, prefix),
      startInstance('two', redis.url, prefix),
    ])
    const publisher = await channelClient(one.url)
    const member = await channelClient(two.url)
    const { epoch } = (await member.join('room:1')).data as Position

    expect((await publisher.publish('room:1', 'first')).data).toEqual({ epoch, offset: 1 })
    await member.waitFor((frame) => frame.o === 1, 'publication 1 through instance two')
    two.command({ cmd: 'drop' }) // instance two cuts its peers
    await member.closed()
    await publisher.publish('room:1', 'second')
    await publisher.publish('room:1', 'third')

    const back = await channelClient(one.url)
    const reply = await back.join('room:1', { epoch, offset: 1 })
    expect(reply.data).toEqual({ epoch, offset: 3, recovered: true })
    expect(await one.publish('room:1', 'fourth')).toEqual({ epoch, offset: 4 })
    await back.waitFor((frame) => frame.o === 4, 'publication 4')
    expect(member.publications().map(({ o, data }) => [o, data])).toEqual([[1, 'first']])
    expect(back.publications().map(({ o, data }) => [o, data])).toEqual([
      [2, 'second'],
      [3, 'third'],
      [4, 'fourth'],
    ])
  })

  it('sends publications made on both instances at once to members of both in one order, each once', async () => {
    const prefix = `channels:${randomUUID()}:`
    const [one, two] = await Promise.all([
      startInstance('one', redis.url, prefix),
      startInstance('two', redis.url, prefix),
    ])
    const [a, b] = [await channelClient(one.url), await channelClient(two.url)]
    await a.join('room:1')
    await b.join('room:1')
    await Promise.all(Array.from({ length: 20 }, (_, n) => (n % 2 ? a : b).publish('room:1', n)))
    for (const client of [a, b]) {
      await client.waitFor((frame) => frame.o === 20, 'publication 20')
      expect(client.publications().map(({ o }) => o)).toEqual(Array.from({ length: 20 }, (_, n) => n + 1))
    }
    expect(a.publications()).toEqual(b.publications())
  })

  it('keeps positions when every server process restarts: the epoch holds and the missed publications replay', async () => {
    const prefix = `channels:${randomUUID()}:`
    const [one, two] = await Promise.all([
      startInstance('one', redis.url, prefix),
      startInstance('two', redis.url, prefix),
    ])
    const first = await one.publish('room:1', 'a')
    await two.publish('room:1', 'b')
    await one.publish('room:1', 'c')
    await Promise.all([one.stop(), two.stop()])

    const three = await startInstance('three', redis.url, prefix)
    const client = await channelClient(three.url)
    expect((await client.join('room:1', first)).data).toEqual({ epoch: first.epoch, offset: 3, recovered: true })
    await client.received(3)
    expect(client.publications().map(({ e, o, data }) => [e, o, data])).toEqual([
      [first.epoch, 2, 'b'],
      [first.epoch, 3, 'c'],
    ])
    expect(await three.publish('room:1', 'd')).toEqual({ epoch: first.epoch, offset: 4 })
  })
})
