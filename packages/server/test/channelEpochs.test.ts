// What a subscriber is told when the history cannot be whole: an append that failed (it may have
// numbered a publication nobody got) starts the channel's next epoch, so every subscriber meets an
// `epoch` gap instead of a silent hole; and a replay larger than the peer may have unsent is a
// `trimmed` gap, not a burst that would close the peer as a slow consumer. With the memory history
// and with the Redis history on a real redis-server.
import { randomUUID } from 'node:crypto'
import { type Channel, type ChannelGap, channel } from '@lifeline/core/channels'
import { type AttachOptions, type History, memoryAdapter, memoryHistory } from '@lifeline/server'
import { redisAdapter } from '@lifeline/server/redis'
import { createClient } from '@redis/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channelClient, type Frame } from './support/channelClient.js'
import { next, openClient, startHub } from './support/hub.js'
import { type RedisServer, requireRedisServer, startRedis } from './support/redis.js'

const redisServer = requireRedisServer()
let redis: RedisServer | undefined
let inspector: ReturnType<typeof createClient> | undefined

beforeAll(async () => {
  if (!redisServer) return
  redis = await startRedis(redisServer)
  inspector = createClient({ url: redis.url })
  await inspector.connect()
})
afterAll(async () => {
  await inspector?.close()
  await redis?.stop()
})

/** A history whose next append fails (after numbering, as a Redis script that fails half way would). */
function failingOnce(inner: History) {
  let fail = false
  const history: History = {
    ...inner,
    start: (host) => inner.start(host),
    append(channel, data) {
      if (!fail) return inner.append(channel, data)
      fail = false
      return Promise.resolve(inner.top(channel)).then(() => Promise.reject(new Error('append failed half way')))
    },
    top: (channel) => inner.top(channel),
    since: (channel, position, limit) => inner.since(channel, position, limit),
    reset: (channel) => inner.reset(channel),
    close: () => inner.close(),
  }
  const failNext = () => {
    fail = true
  }
  return { history, failNext }
}

interface Backend {
  name: string
  skip: boolean
  /** The hub's options with this history, and a way to make the next append fail. */
  make(options?: AttachOptions): { options: AttachOptions; failNext: () => Promise<void> }
}

const backends: Backend[] = [
  {
    name: 'the memory history',
    skip: false,
    make(options = {}) {
      const { history, failNext } = failingOnce(memoryHistory())
      return {
        options: { ...options, adapter: { ...memoryAdapter(), history } },
        failNext: async () => failNext(),
      }
    },
  },
  {
    name: 'the Redis history',
    skip: !redisServer,
    make(options = {}) {
      const prefix = `test:${randomUUID()}:`
      return {
        options: { ...options, adapter: redisAdapter({ url: (redis as RedisServer).url, prefix }) },
        // A stream key of the wrong type: the append script numbers the publication, then XADD fails.
        failNext: async () => {
          await inspector?.set(`${prefix}history:{room:1}`, 'not a stream')
        },
      }
    },
  },
]

/** A channel handle's deliveries and gaps, in the order they came. */
function record(room: Channel<number>) {
  const events: Array<{ message: number; offset: number } | { gap: ChannelGap }> = []
  room.on('message', (message, { offset }) => events.push({ message, offset }))
  room.on('gap', (gap) => events.push({ gap }))
  return events
}

/** Resolves once `done()` holds, checked after each of the channel's events; rejects after 5 s, saying where the channel is. */
function until(room: Channel<number>, done: () => boolean, events: unknown[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      for (const off of offs) off()
      reject(new Error(`not within 5 s: ${JSON.stringify({ snapshot: room.getSnapshot(), events })}`))
    }, 5000)
    const check = () => {
      if (!done()) return
      clearTimeout(timer)
      for (const off of offs) off()
      resolve()
    }
    const offs = [room.on('message', check), room.on('gap', check), room.subscribe(check)]
    check()
  })
}

/** The frames of the channels protocol (replies and publications): a hub may say other things first. */
const channelFrames = (frames: Frame[]) => frames.filter((frame) => !('type' in frame))

for (const backend of backends) {
  describe.skipIf(backend.skip)(`with ${backend.name}`, () => {
    it('starts a new epoch after an append failed: a subscriber gets an epoch gap, then what follows, never a silent hole', async () => {
      const { options, failNext } = backend.make()
      const { hub, url } = await startHub(options)
      await hub.ready
      const errors: string[] = []
      hub.on('error', (error) => errors.push(error.code))
      const socket = openClient(url)
      const room = channel<number>(socket, 'room:1')
      const events = record(room)
      await until(room, () => room.getSnapshot().status === 'joined')
      const first = await hub.publish('room:1', 1)
      await until(room, () => events.length === 1, events)

      await failNext()
      await expect(hub.publish('room:1', 2)).rejects.toMatchObject({ code: 'ADAPTER_FAILED' })
      const third = await hub.publish('room:1', 3)
      expect(third).toEqual({ epoch: expect.any(String), offset: 1 })
      expect(third.epoch).not.toBe(first.epoch)
      // The new epoch's first frame tells the subscriber; its rejoin answers the gap, up to the top then.
      await until(room, () => events.length === 2, events)
      const fourth = await hub.publish('room:1', 4)
      await until(room, () => events.length === 3, events)

      expect(events).toEqual([
        { message: 1, offset: 1 },
        { gap: { reason: 'epoch', from: 1, to: 1 } },
        { message: 4, offset: 2 },
      ])
      expect(room.getSnapshot()).toMatchObject({ epoch: fourth.epoch, offset: fourth.offset, recovered: false })
    })

    it('answers a publisher whose append failed UNAVAILABLE, and its next publication lands in a new epoch', async () => {
      const { options, failNext } = backend.make()
      const { hub, url } = await startHub(options)
      await hub.ready
      hub.on('error', () => {})
      const socket = openClient(url)
      await next(socket, 'open')
      const room = channel<number>(socket, 'room:1')
      const before = await room.publish(1)
      await failNext()
      await expect(room.publish(2)).rejects.toMatchObject({ cause: { code: 'UNAVAILABLE' } })
      const after = await room.publish(3)
      expect(after.epoch).not.toBe(before.epoch)
      expect(after.offset).toBe(1)
    })

    it('answers a join whose replay would pass the highWaterMark with a trimmed gap, and keeps the peer', async () => {
      const { options } = backend.make({ highWaterMark: 4096, history: { size: 1000 } })
      const { hub, url } = await startHub(options)
      await hub.ready
      const client = await channelClient(url)
      const { epoch } = (await client.join('room:1')).data as { epoch: string }
      client.cut()
      const text = 'x'.repeat(100)
      for (let n = 1; n <= 100; n++) await hub.publish('room:1', { n, text })

      const back = await channelClient(url)
      const reply = await back.join('room:1', { epoch, offset: 0 })
      expect(reply.data).toEqual({ epoch, offset: 100, recovered: false, gap: { reason: 'trimmed', from: 1, to: 100 } })
      const small = await channelClient(url)
      const fits = await small.join('room:1', { epoch, offset: 95 })
      expect(fits.data).toEqual({ epoch, offset: 100, recovered: true })
      await small.waitFor(() => small.publications().length === 5, 'the replay of 96 to 100')

      await hub.publish('room:1', { n: 101, text })
      await back.waitFor(() => back.publications().length === 1, 'the next publication')
      expect(channelFrames(back.frames)).toEqual([reply, expect.objectContaining({ o: 101 })])
      expect(back.ws.readyState).toBe(back.ws.OPEN)
    })
  })
}
