// Two server instances, each its own Node process with a hub and the Redis adapter on its own
// port, and one real redis-server between them: what a client sees when it moves from one to
// the other, and what a broadcast on one does on both.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ClusterClientSends, ClusterReplies, ClusterServerSends } from './cluster/protocol.js'
import { type Instance, startInstance } from './support/cluster.js'
import { next, openClient } from './support/hub.js'
import { type RedisServer, requireRedisServer, startRedis } from './support/redis.js'

const redisServer = requireRedisServer()

describe.skipIf(!redisServer)('two server processes sharing one Redis', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
  })
  afterAll(() => redis?.stop())

  async function startTwo(): Promise<[Instance, Instance]> {
    const prefix = `cluster:${randomUUID()}:`
    return Promise.all([startInstance('one', redis.url, prefix), startInstance('two', redis.url, prefix)])
  }

  /** A client whose every (re)connect goes to `target.url`, switchable between instances. */
  function clientOf(first: Instance) {
    const route = { target: first }
    const socket = openClient<ClusterServerSends, ClusterClientSends, ClusterReplies>(() => route.target.url)
    return { socket, route }
  }

  it('answers a request resent to the other instance after a drop with the first reply; the handler ran once', async () => {
    const [one, two] = await startTwo()
    const { socket, route } = clientOf(one)
    await next(socket, 'open')

    const handling = one.next('handling')
    const reply = socket.request('slow')
    const { id } = await handling // instance one runs the handler and holds the reply back

    route.target = two
    const resent = two.next('request', (request) => request.id === id)
    one.command({ cmd: 'drop' }) // the link dies; the client reconnects to two and resends the same id
    await resent
    one.command({ cmd: 'release', id, value: 'answered by one' })

    expect(await reply).toBe('answered by one')
    expect(await one.calls()).toEqual({ slow: 1, lossy: 0 })
    expect(await two.calls()).toEqual({ slow: 0, lossy: 0 })
  })

  it('answers a request whose reply died with the link from the reply stored on the other instance', async () => {
    const [one, two] = await startTwo()
    const { socket, route } = clientOf(one)
    await next(socket, 'open')
    route.target = two // where the client goes after the drop

    const resent = two.next('request')
    expect(await socket.request('lossy', { n: 5 })).toBe('lossy 5 from one')
    expect((await resent).type).toBe('lossy')
    expect(await one.calls()).toEqual({ slow: 0, lossy: 1 })
    expect(await two.calls()).toEqual({ slow: 0, lossy: 0 })
  })

  it('sends a broadcast made on one instance to the peers of both, once each', async () => {
    const [one, two] = await startTwo()
    const ada = clientOf(one).socket
    const grace = clientOf(two).socket
    await Promise.all([next(ada, 'open'), next(grace, 'open')])
    const heard = (socket: typeof ada) =>
      new Promise<string[]>((resolve) => {
        const texts: string[] = []
        socket.on('chat', ({ text }) => texts.push(text) === 2 && resolve(texts))
      })
    const both = Promise.all([heard(ada), heard(grace)])

    ada.send('chat', { text: 'first' }) // instance one broadcasts it
    ada.send('chat', { text: 'second' })
    // A copy too many (Redis echoing one's own broadcast back to it) would arrive before 'second'.
    expect(await both).toEqual([
      ['first', 'second'],
      ['first', 'second'],
    ])
  })
})
