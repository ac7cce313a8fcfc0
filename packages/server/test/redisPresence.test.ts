// Presence across server instances on a real redis-server: a user on two instances is one
// member, a move between instances within the grace period is no leave, the members of an
// instance killed with SIGKILL leave within ttl + ttl / 3, and garbage from Redis is reported.
import { fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { authMessage } from '@lifeline/core/protocol'
import type { AttachOptions } from '@lifeline/server'
import { redisAdapter } from '@lifeline/server/redis'
import { createClient } from '@redis/client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChannelClient, channelClient } from './support/channelClient.js'
import { onCleanup, startHub } from './support/hub.js'
import { type RedisServer, requireRedisServer, startRedis } from './support/redis.js'

const redisServer = requireRedisServer()
const RUN_TS = fileURLToPath(new URL('./support/runTs.mjs', import.meta.url))
const INSTANCE = fileURLToPath(new URL('./cluster/presenceInstance.ts', import.meta.url))

const joinWith = (client: ChannelClient, channel: string, presence?: string) =>
  client.request('$join', presence === undefined ? { channel } : { channel, presence })
const ids = (frame: { data?: unknown }) =>
  ((frame.data as { members: Array<{ id: string }> }).members ?? []).map(({ id }) => id)
/** The joins and leaves a client was sent, but its own join (the answer to its join had it already). */
const changes = (client: ChannelClient, self = 'w') =>
  client.frames
    .filter((frame) => typeof frame.pr === 'string')
    .flatMap((frame) => [
      ...((frame.j as Array<{ id: string }>) ?? []).map(({ id }) => `join ${id}`),
      ...((frame.l as string[]) ?? []).map((id) => `leave ${id}`),
    ])
    .filter((change) => change !== `join ${self}`)

/** Resolves once `done` is true, asking again every 20 ms; fails after 5 s. */
async function until(done: () => Promise<boolean>) {
  for (const started = performance.now(); !(await done()); ) {
    if (performance.now() - started > 5000) throw new Error(`not so within 5 s: ${done}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe.skipIf(!redisServer)('presence through Redis', () => {
  let redis: RedisServer
  let inspector: ReturnType<typeof createClient>

  beforeAll(async () => {
    redis = await startRedis(redisServer as string)
    inspector = createClient({ url: redis.url })
    await inspector.connect()
  })
  afterAll(async () => {
    await inspector?.close()
    await redis?.stop()
  })

  /** Two hubs sharing a fresh prefix of the Redis. */
  async function twoInstances(options: AttachOptions = {}) {
    const prefix = `test:${randomUUID()}:`
    const start = () =>
      startHub({
        adapter: redisAdapter({ url: redis.url, prefix }),
        authenticate: ({ token }) => ({ userId: String(token) }),
        presence: { grace: 200, ttl: 3000 },
        ...options,
      })
    const [one, two] = await Promise.all([start(), start()])
    await Promise.all([one.hub.ready, two.hub.ready])
    return { one, two, prefix }
  }

  async function signedIn(url: string, user: string) {
    const client = await channelClient(url)
    client.send(authMessage(user))
    return client
  }

  it('shows members of every instance, and a user on two instances once, until its last connection is gone', async () => {
    const { one, two } = await twoInstances()
    const watcher = await signedIn(one.url, 'w')
    expect(ids(await joinWith(watcher, 'room', 'list'))).toEqual(['w'])
    const ann = [await signedIn(one.url, 'ann'), await signedIn(two.url, 'ann')]
    await joinWith(ann[0] as ChannelClient, 'room')
    await joinWith(ann[1] as ChannelClient, 'room')
    const bob = await signedIn(two.url, 'bob')
    expect(ids(await joinWith(bob, 'room', 'list')).sort()).toEqual(['ann', 'bob', 'w'])
    await watcher.waitFor((frame) => JSON.stringify(frame).includes('"bob"'), 'bob joining')

    ann[0]?.cut()
    bob.cut()
    await watcher.waitFor((frame) => Array.isArray(frame.l), 'a leave')
    ann[1]?.cut()
    await watcher.waitFor((frame) => Array.isArray(frame.l) && (frame.l as string[]).includes('ann'), 'ann leaving')
    expect(changes(watcher)).toEqual(['join ann', 'join bob', 'leave bob', 'leave ann'])
    expect(two.hub.presence('room')).toEqual([])
  })

  it('shows no leave and no join when a user moves to another instance within the grace period', async () => {
    const { one, two, prefix } = await twoInstances({ presence: { grace: 1000, ttl: 3000 } } as AttachOptions)
    const watcher = await signedIn(one.url, 'w')
    await joinWith(watcher, 'room', 'list')
    const before = await signedIn(one.url, 'ann')
    await joinWith(before, 'room')
    await watcher.waitFor((frame) => JSON.stringify(frame).includes('"ann"'), 'ann joining')
    before.cut()
    const after = await signedIn(two.url, 'ann')
    await joinWith(after, 'room')
    // Held by both instances, then (the grace period of the connection that went over) by the second alone.
    const holders = () => inspector.hGet(`${prefix}presence:{room}:holders`, 'ann')
    await until(async () => (await holders()) === '2')
    await until(async () => (await holders()) === '1')
    const marker = await signedIn(two.url, 'marker')
    await joinWith(marker, 'room')
    await watcher.waitFor((frame) => JSON.stringify(frame).includes('marker'), 'the marker joining')
    expect(changes(watcher)).toEqual(['join ann', 'join marker'])
  })

  it('takes out the members of an instance killed with SIGKILL within ttl + ttl / 3', async () => {
    const ttl = 1500
    const { one, prefix } = await twoInstances({ presence: { grace: 100, ttl } } as AttachOptions)
    const child = fork(RUN_TS, [INSTANCE], {
      execArgv: [],
      env: { ...process.env, REDIS_URL: redis.url, PREFIX: prefix, PRESENCE_TTL: String(ttl) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    onCleanup(() => child.kill('SIGKILL'))
    const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', resolve as never))

    const watcher = await signedIn(one.url, 'w')
    await joinWith(watcher, 'room', 'list')
    const doomed = await signedIn(`ws://127.0.0.1:${port}/live`, 'doomed')
    await joinWith(doomed, 'room')
    await watcher.waitFor((frame) => JSON.stringify(frame).includes('doomed'), 'the join')

    const killed = performance.now()
    child.kill('SIGKILL')
    const leave = await watcher.waitFor((frame) => Array.isArray(frame.l), 'the leave')
    const took = performance.now() - killed
    expect(leave).toEqual({ pr: 'room', l: ['doomed'] })
    expect(took).toBeLessThan(ttl + ttl / 3 + 300)
    expect(one.hub.presence('room').map(({ id }) => id)).toEqual(['w'])
  })

  it('lets the members of a closed instance go after the grace period, but not those that came back elsewhere', async () => {
    const { one, two } = await twoInstances()
    const watcher = await signedIn(one.url, 'w')
    await joinWith(watcher, 'room', 'list')
    for (const user of ['ann', 'bob']) await joinWith(await signedIn(two.url, user), 'room')
    await watcher.waitFor((frame) => JSON.stringify(frame).includes('"bob"'), 'bob joining')
    const closed = two.hub.close()
    // Ann's client comes back on the other instance; Bob's does not.
    await joinWith(await signedIn(one.url, 'ann'), 'room')
    await closed
    await watcher.waitFor((frame) => Array.isArray(frame.l), 'a leave')
    expect(changes(watcher)).toEqual(['join ann', 'join bob', 'leave bob'])
    expect(one.hub.presence('room').map(({ id }) => id)).toEqual(['w', 'ann'])
  })

  it('ends where the last of many quick joins and leaves on two instances left it', async () => {
    const { one, two, prefix } = await twoInstances()
    const watcher = await signedIn(one.url, 'w')
    await joinWith(watcher, 'room', 'list')
    const tabs = [await signedIn(one.url, 'ann'), await signedIn(two.url, 'ann')]
    for (let round = 0; round < 20; round++) {
      for (const tab of tabs) {
        tab.send({ type: '$join', id: `r${round}`, data: { channel: 'room' } })
        tab.send({ type: '$leave', data: { channel: 'room' } })
      }
    }
    // The last word of one tab is a join: Ann stays; then it leaves too, and she goes.
    await joinWith(tabs[0] as ChannelClient, 'room')
    const holders = () => inspector.hGet(`${prefix}presence:{room}:holders`, 'ann')
    await until(async () => (await holders()) === '1')
    expect(one.hub.presence('room').map(({ id }) => id)).toEqual(['w', 'ann'])
    tabs[0]?.send({ type: '$leave', data: { channel: 'room' } })
    await until(async () => (await holders()) === null)
    await watcher.waitFor((frame) => Array.isArray(frame.l) && (frame.l as string[]).includes('ann'), 'ann leaving')
    expect(changes(watcher).at(-1)).toBe('leave ann')
    expect(two.hub.presence('room').map(({ id }) => id)).toEqual([])
  })

  it('enters its members again and reads the channel anew when Redis lost everything', async () => {
    const { one, two, prefix } = await twoInstances()
    const watcher = await signedIn(one.url, 'w')
    await joinWith(watcher, 'room', 'list')
    await joinWith(await signedIn(two.url, 'ann'), 'room')
    await watcher.waitFor((frame) => JSON.stringify(frame).includes('"ann"'), 'ann joining')
    // Comings and goings number the channel's changes past what it will count after the loss.
    for (const user of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      const passer = await signedIn(two.url, user)
      await joinWith(passer, 'room')
      passer.cut()
    }
    await watcher.waitFor((frame) => JSON.stringify(frame).includes('"c5"'), 'the last passer')
    await until(async () => one.hub.presence('room').length === 2)
    await inspector.flushAll()
    // Each instance renews every ttl / 3 (1 s here): it finds itself gone and enters its members again.
    await until(async () => (await inspector.hGet(`${prefix}presence:{room}:holders`, 'ann')) === '1')
    await joinWith(await signedIn(two.url, 'bob'), 'room')
    await watcher.waitFor((frame) => JSON.stringify(frame).includes('"bob"'), 'bob joining')
    await until(async () => one.hub.presence('room').length === 3)
    expect(
      one.hub
        .presence('room')
        .map(({ id }) => id)
        .sort(),
    ).toEqual(['ann', 'bob', 'w'])
    expect(changes(watcher)).not.toContain('leave ann')
  })

  it('reports garbage on the presence topic and in the data, and goes on', async () => {
    const errors: unknown[] = []
    const { one, two, prefix } = await twoInstances()
    one.hub.on('error', (error) => errors.push(error))
    two.hub.on('error', () => {})
    const watcher = await signedIn(one.url, 'w')
    await joinWith(watcher, 'room', 'list')
    await inspector.publish(`${prefix}presence`, 'not json')
    await inspector.publish(`${prefix}presence`, '["room","x","j"]')
    await inspector.hSet(`${prefix}presence:{room}:data`, 'ghost', '{not json')
    const late = await signedIn(two.url, 'late')
    await joinWith(late, 'room')
    await watcher.waitFor((frame) => JSON.stringify(frame).includes('late'), 'a join after the garbage')
    expect(errors.length).toBeGreaterThanOrEqual(1)
    expect(errors[0]).toMatchObject({ code: 'ADAPTER_FAILED' })
  })
})
