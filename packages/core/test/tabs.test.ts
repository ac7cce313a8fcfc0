// connectShared on the runtime under test, with its own Web Locks and BroadcastChannel where it has
// them (Node 24, Deno), else plain connect (Node 20 and 22, Bun): the same round trip either way,
// and close() leaves nothing behind that would keep the process alive.
import process from 'node:process'
import { afterEach, describe, expect, it } from 'vitest'
import { connectShared } from '../src/tabs/connectShared.js'
import { type Chat, clientWebSocket, nextEvent, Resources, runtime } from './support/client.js'

const resources = new Resources()
afterEach(() => resources.dispose())

const g = globalThis as { navigator?: { locks?: unknown }; BroadcastChannel?: unknown }
const shares = !!g.navigator?.locks && typeof g.BroadcastChannel === 'function'

/** Handles the process holds that keep it alive, where the runtime reports them (Node, Bun). */
const keepAlive = () =>
  typeof process.getActiveResourcesInfo === 'function'
    ? process.getActiveResourcesInfo().filter((name) => name === 'MessagePort')
    : []

describe(`connectShared on ${runtime} (${shares ? 'shares through Web Locks and BroadcastChannel' : 'plain connect'})`, () => {
  it('round-trips a chat and a request, and leaves nothing open after close()', async () => {
    const server = await resources.server()
    server.respond('getUser', (data) => ({ name: `user ${(data as { id: string }).id}` }))
    const before = keepAlive().length
    const socket = connectShared<Chat, Chat & { getUser: { id: string } }, { getUser: { name: string } }>(
      server.url('/live'),
      { WebSocket: clientWebSocket.WebSocket, browserEvents: false, channel: `test-${Math.random()}` },
    )
    await nextEvent(socket, 'open')
    expect(socket.getSnapshot().leader).toBe(shares ? true : undefined)
    const echo = new Promise((resolve) => socket.once('chat', resolve))
    socket.send('chat', { text: 'hi', seq: 1 })
    await expect(echo).resolves.toEqual({ text: 'hi', seq: 1 })
    await expect(socket.request('getUser', { id: '7' })).resolves.toEqual({ name: 'user 7' })
    expect(server.handshakes).toEqual(['/live'])

    socket.close()
    expect(socket.getSnapshot().status).toBe('closed')
    expect(await server.last.closed).toEqual({ code: 1000, reason: '' })
    expect(keepAlive()).toHaveLength(before)
    socket.dispose()
  })
})
