// Channels against a real `@lifeline/server` hub on 127.0.0.1: joins, live publications, recovery
// after the server cuts the link, gaps when the history no longer reaches back, and refusals.
import type { AddressInfo } from 'node:net'
import { type AttachOptions, attach } from '@lifeline/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { type Channel, type ChannelGap, channel } from '../src/channels.js'
import { connect, type Socket } from '../src/index.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function startHub(options?: AttachOptions) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => wss.once('listening', resolve))
  const hub = attach(wss, options)
  cleanups.push(async () => {
    await hub.close()
    for (const ws of wss.clients) ws.terminate()
    await new Promise((resolve) => wss.close(resolve))
  })
  const { port } = wss.address() as AddressInfo
  /** Cuts every client's link from the server's side, as a crash or a slow-consumer cut would. */
  const cut = () => {
    for (const ws of wss.clients) ws.terminate()
  }
  return { hub, cut, url: `ws://127.0.0.1:${port}/live` }
}

/** A client that comes back `delay` ms after a drop. */
function client(url: string, delay = 10): Socket {
  const socket = connect(url, { WebSocket, reconnect: { initialDelay: delay, maxDelay: delay, jitter: 'none' } })
  cleanups.push(() => socket.dispose())
  return socket
}

/** Every payload and gap a channel delivers. */
function record<T>(room: Channel<T>) {
  const payloads: T[] = []
  const gaps: ChannelGap[] = []
  room.on('message', (data) => payloads.push(data))
  room.on('gap', (gap) => gaps.push(gap))
  return { payloads, gaps }
}

const joined = (room: Channel<unknown>) => vi.waitFor(() => expect(room.getSnapshot().status).toBe('joined'))

describe('channels against @lifeline/server', () => {
  it('delivers publications to every member, the publisher included, and publish resolves their position', async () => {
    const { hub, url } = await startHub()
    const ann = channel<string>(client(url), 'room:1')
    const bob = channel<string>(client(url), 'room:1')
    const seenByAnn = record(ann)
    const seenByBob = record(bob)
    await joined(ann)
    await joined(bob)

    const { epoch } = ann.getSnapshot()
    expect(await ann.publish('from ann')).toEqual({ epoch, offset: 1 })
    await hub.publish('room:1', 'from the server')
    await vi.waitFor(() => expect(seenByBob.payloads).toEqual(['from ann', 'from the server']))
    await vi.waitFor(() => expect(seenByAnn.payloads).toEqual(['from ann', 'from the server']))
    expect(ann.getSnapshot()).toMatchObject({ epoch, offset: 2 })
  })

  it('after the server cuts the link, replays what was published meanwhile, once each and in order', async () => {
    const { hub, cut, url } = await startHub()
    const socket = client(url, 300)
    const room = channel<number>(socket, 'room:1')
    const { payloads, gaps } = record(room)
    await joined(room)
    await hub.publish('room:1', 1)
    await vi.waitFor(() => expect(payloads).toEqual([1]))

    const closed = new Promise((resolve) => socket.once('close', resolve))
    cut()
    await closed
    for (const n of [2, 3, 4]) await hub.publish('room:1', n) // while the client is away
    expect(room.getSnapshot().status).toBe('joining')
    await vi.waitFor(() => expect(payloads).toEqual([1, 2, 3, 4]))
    await hub.publish('room:1', 5)
    await vi.waitFor(() => expect(payloads).toEqual([1, 2, 3, 4, 5]))
    expect(gaps).toEqual([])
    expect(room.getSnapshot()).toMatchObject({ status: 'joined', offset: 5, recovered: true })
  })

  it('says with a gap what the history could not keep, then goes on live', async () => {
    const { hub, cut, url } = await startHub({ history: { size: 2 } })
    const socket = client(url, 300)
    const room = channel<number>(socket, 'room:1')
    const { payloads, gaps } = record(room)
    await joined(room)
    await hub.publish('room:1', 1)
    await vi.waitFor(() => expect(payloads).toEqual([1]))

    const closed = new Promise((resolve) => socket.once('close', resolve))
    cut()
    await closed
    for (const n of [2, 3, 4, 5]) await hub.publish('room:1', n)
    await vi.waitFor(() => expect(gaps).toEqual([{ reason: 'trimmed', from: 2, to: 5 }]))
    await hub.publish('room:1', 6)
    await vi.waitFor(() => expect(payloads).toEqual([1, 6]))
    expect(room.getSnapshot()).toMatchObject({ offset: 6, recovered: false })
  })

  it('resumes from a stored position in a new client, as after a reload', async () => {
    const { hub, url } = await startHub()
    const first = channel<number>(client(url), 'room:1')
    await joined(first)
    await hub.publish('room:1', 1)
    await vi.waitFor(() => expect(first.getSnapshot().offset).toBe(1))
    const { epoch, offset } = first.getSnapshot()
    for (const n of [2, 3]) await hub.publish('room:1', n)

    const reloaded = channel<number>(client(url), 'room:1', { since: { epoch: epoch as string, offset } })
    const { payloads } = record(reloaded)
    await vi.waitFor(() => expect(payloads).toEqual([2, 3]))
  })

  it('a refused join fails the channel with JOIN_REFUSED; a refused publication rejects with PUBLISH_REFUSED', async () => {
    const { url } = await startHub({ authorize: (_peer, name, action) => name === 'open' && action === 'join' })
    const socket = client(url)
    const secret = channel(socket, 'secret')
    const errors: string[] = []
    secret.on('error', (error) => errors.push(error.code))
    await vi.waitFor(() => expect(secret.getSnapshot().status).toBe('failed'))
    expect(errors).toEqual(['JOIN_REFUSED'])

    const open = channel(socket, 'open')
    await joined(open)
    await expect(open.publish('no')).rejects.toMatchObject({ code: 'PUBLISH_REFUSED' })
  })
})
