import { randomUUID } from 'node:crypto'
import { createRedisConnection, redisBroker } from '@lifeline/server/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRooms } from '../src/rooms.js'
import { onCleanup } from './support/hub.js'
import { type RedisServer, requireRedisServer, startRedis } from './support/redis.js'

const redisServer = requireRedisServer()

/** A peer that records what was written to it, and can wait for it. */
function member(id: string) {
  const frames: string[] = []
  let wake = () => {}
  return {
    id,
    frames,
    write(frame: string) {
      frames.push(frame)
      wake()
    },
    /** Resolves once `count` frames have arrived. */
    received(count: number) {
      return new Promise<string[]>((resolve) => {
        wake = () => frames.length >= count && resolve(frames)
        wake()
      })
    },
  }
}

describe.skipIf(!redisServer)('redisBroker against a real redis-server', () => {
  let redis: RedisServer
  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
  })
  afterAll(() => redis?.stop())

  /** Two instances sharing a prefix, each with its rooms: `a1`, `a2` on one, `b1`, `b2` on the other. */
  async function twoInstances() {
    const prefix = `test:${randomUUID()}:`
    const instances = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const rooms = createRooms<ReturnType<typeof member>>()
        const peers = [member(`${name}1`), member(`${name}2`)]
        for (const peer of peers) rooms.add(peer)
        rooms.join('room:1', peers[0] as ReturnType<typeof member>)
        const broker = redisBroker(createRedisConnection({ url: redis.url }), prefix)
        await broker.start({ deliver: rooms.deliver, report: (error) => console.error(error) })
        onCleanup(() => broker.close())
        return { broker, peers }
      }),
    )
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]]
    return { a, b, a1: a.peers[0], a2: a.peers[1], b1: b.peers[0], b2: b.peers[1] } as const
  }

  it("delivers to this instance's peers before publish returns, and to the other's, once each", async () => {
    const { a, a1, a2, b1, b2 } = await twoInstances()
    const publishing = a.broker.publish({ frame: 'all' })
    expect([a1?.frames, a2?.frames]).toEqual([['all'], ['all']])
    await publishing
    expect(await Promise.all([b1?.received(1), b2?.received(1)])).toEqual([['all'], ['all']])
    await a.broker.publish({ frame: 'second' })
    await b1?.received(2)
    // Redis hands an instance its own publications back: a copy too many would come before 'second'.
    expect(a1?.frames).toEqual(['all', 'second'])
    expect(b1?.frames).toEqual(['all', 'second'])
  })

  it('delivers a channel publication to the peers in that room on every instance, but never to except', async () => {
    const { a, b, a1, a2, b1, b2 } = await twoInstances()
    await a.broker.publish({ frame: 'to the room', channel: 'room:1', except: 'a1' })
    // Publications from two instances have no order between them: let the first arrive.
    await b1?.received(1)
    await b.broker.publish({ frame: 'to all but b2', except: 'b2' })
    expect(await b1?.received(2)).toEqual(['to the room', 'to all but b2'])
    expect(await a2?.received(1)).toEqual(['to all but b2'])
    expect(await a1?.received(1)).toEqual(['to all but b2'])
    expect(b2?.frames).toEqual([])
  })
})
