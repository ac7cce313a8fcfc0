// Presence on a real `ws` server, spoken by raw clients frame by frame: who is in a channel, as
// users (one member however many connections), the joins and leaves sent to those that asked,
// the count for large rooms, and bad input.
import { authMessage } from '@lifeline/core/protocol'
import { attach } from '@lifeline/server'
import { describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { type ChannelClient, channelClient, type Frame } from './support/channelClient.js'
import { startHub } from './support/hub.js'

/** A hub whose `authenticate` takes the token as the user's id. */
const startUsersHub = (grace = 100, extra = {}) =>
  startHub({
    authenticate: ({ token }) => ({ userId: String(token), name: `User ${token}` }),
    presence: { grace },
    ...extra,
  })

/** A raw client signed in as `user`. */
async function signedIn(url: string, user: string): Promise<ChannelClient> {
  const client = await channelClient(url)
  client.send(authMessage(user))
  return client
}

const joinWith = (client: ChannelClient, channel: string, presence?: unknown) =>
  client.request('$join', presence === undefined ? { channel } : { channel, presence })

const member = (id: string) => ({ id, data: { userId: id, name: `User ${id}` } })
const presenceFrames = (client: ChannelClient) => client.frames.filter((frame) => typeof frame.pr === 'string')

describe('presence on a hub', () => {
  it('answers a join with the members, the joiner included, and tells it who joins and leaves', async () => {
    const { url } = await startUsersHub()
    const ann = await signedIn(url, 'ann')
    expect((await joinWith(ann, 'room:1', 'list')).data).toMatchObject({ members: [member('ann')] })

    const bob = await signedIn(url, 'bob')
    expect(((await joinWith(bob, 'room:1', 'list')).data as { members: unknown }).members).toEqual([
      member('ann'),
      member('bob'),
    ])
    expect(await ann.waitFor((frame) => frame.pr === 'room:1', 'a join')).toEqual({ pr: 'room:1', j: [member('bob')] })

    const started = performance.now()
    bob.cut()
    expect(await ann.waitFor((frame) => Array.isArray(frame.l), 'a leave')).toEqual({ pr: 'room:1', l: ['bob'] })
    // Not before the grace period (100 ms here) was over.
    expect(performance.now() - started).toBeGreaterThanOrEqual(95)
  })

  it('shows a user with three connections once, and keeps it until the last is gone', async () => {
    const { url, hub } = await startUsersHub()
    const watcher = await signedIn(url, 'w')
    await joinWith(watcher, 'room:1', 'list')
    const tabs = await Promise.all([1, 2, 3].map(() => signedIn(url, 'ann')))
    for (const tab of tabs) await joinWith(tab, 'room:1')
    const [first, second, third] = tabs as [ChannelClient, ChannelClient, ChannelClient]
    expect(hub.presence('room:1').map((one) => one.id)).toEqual(['w', 'ann'])
    await watcher.waitFor((frame) => frame.pr === 'room:1', 'a join')

    first.cut()
    second.send({ type: '$leave', data: { channel: 'room:1' } })
    // The third connection joins another channel and comes back: a round trip after the others went.
    await joinWith(third, 'room:2')
    third.cut()
    await watcher.waitFor((frame) => Array.isArray(frame.l), 'a leave')
    expect(presenceFrames(watcher)).toEqual([
      { pr: 'room:1', j: [member('ann')] },
      { pr: 'room:1', l: ['ann'] },
    ])
    expect(hub.presence('room:1').map((one) => one.id)).toEqual(['w'])
  })

  it('answers a count, not a list, to a join that asks for it, and sends the count when it changes', async () => {
    const { url } = await startUsersHub()
    const big = await signedIn(url, 'big')
    expect((await joinWith(big, 'stadium', 'count')).data).toMatchObject({ count: 1 })
    expect((await joinWith(big, 'stadium', 'count')).data).not.toHaveProperty('members')
    for (const user of ['a', 'b', 'c']) await joinWith(await signedIn(url, user), 'stadium')
    expect(await big.waitFor((frame) => frame.pr === 'stadium', 'a count')).toEqual({ pr: 'stadium', n: 4 })
  })

  it('keeps members apart per channel, and tells nothing to a peer that did not ask', async () => {
    const { url } = await startUsersHub()
    const quiet = await signedIn(url, 'quiet')
    await joinWith(quiet, 'room:1')
    const other = await signedIn(url, 'other')
    expect((await joinWith(other, 'room:2', 'list')).data).toMatchObject({ members: [member('other')] })
    const ann = await signedIn(url, 'ann')
    expect(((await joinWith(ann, 'room:1', 'list')).data as { members: unknown }).members).toEqual([
      member('quiet'),
      member('ann'),
    ])
    await joinWith(quiet, 'room:3') // a round trip: a presence frame sent to it would be here by now
    expect(presenceFrames(quiet)).toEqual([])
    expect(presenceFrames(other)).toEqual([])
  })

  it('names a member by its connection when authenticate names no user', async () => {
    const { url, hub } = await startHub()
    const client = await channelClient(url)
    const reply = (await joinWith(client, 'room:1', 'list')).data as { members: Frame[] }
    expect(reply.members).toEqual([{ id: [...hub.peers][0]?.id, data: {} }])
  })

  it('refuses a join whose presence is neither list nor count, with a clear message', async () => {
    const { url } = await startUsersHub()
    const client = await signedIn(url, 'ann')
    expect((await joinWith(client, 'room:1', 'everyone')).error).toEqual({
      code: 'JOIN_REFUSED',
      message: "presence must be 'list' or 'count'",
    })
  })

  it('answers no members when presence is off', async () => {
    const { url, hub } = await startUsersHub(100, { presence: false })
    const client = await signedIn(url, 'ann')
    expect((await joinWith(client, 'room:1', 'list')).data).not.toHaveProperty('members')
    expect(hub.presence('room:1')).toEqual([])
  })

  it('refuses bad presence options with INVALID_OPTIONS', () => {
    const wss = new WebSocketServer({ noServer: true })
    for (const presence of [{ grace: -1 }, { ttl: Number.NaN }, 'on']) {
      expect(() => attach(wss, { presence: presence as never })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringMatching(/^presence/) }),
      )
    }
  })
})
