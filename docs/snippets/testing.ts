// Samples of docs/testing.md: a test file for vitest, run by `npm test` (the docs project). Each
// region is pasted into the guide as it is.
// #region first-test
import { type ConnectOptions, connect } from '@lifeline/core'
import { createTestServer, type TestServer } from '@lifeline/testing'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  chat: { text: string }
  getUser: { id: string }
}
interface Replies {
  getUser: { name: string }
}

// The server's side of the same maps: it receives Outgoing, sends Incoming and replies with Replies.
let server: TestServer<Outgoing, Incoming, Replies>
beforeEach(() => {
  server = createTestServer<Outgoing, Incoming, Replies>()
})
afterEach(() => {
  server.stop()
  vi.useRealTimers()
})

function open(options: ConnectOptions<Incoming, Outgoing> = {}) {
  return connect<Incoming, Outgoing, Replies>(server.url, {
    WebSocket: server.WebSocket,
    reconnect: { initialDelay: 100, jitter: 'none' }, // exact delays
    ...options,
  })
}

it('sends and receives typed messages', async () => {
  const socket = open()
  const heard: string[] = []
  socket.on('chat', ({ text }) => heard.push(text))
  await server.waitForConnection()

  socket.send('chat', { text: 'hi' })
  expect((await server.waitForMessage('chat')).data).toEqual({ text: 'hi' })
  server.send('chat', { from: 'Ada', text: 'hello' }) // delivered at once
  expect(heard).toEqual(['hello'])
  socket.dispose()
})

it('gets replies to its requests', async () => {
  server.handle('getUser', ({ id }) => ({ name: `user ${id}` })) // typed by Outgoing and Replies
  const socket = open()
  expect(await socket.request('getUser', { id: '42' })).toEqual({ name: 'user 42' })
  socket.dispose()
})
// #endregion

// #region faults
describe('faults, under fake timers', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })

  it('comes back after a restart and delivers what was sent meanwhile', async () => {
    const socket = open()
    await server.waitForConnection() // no timer to advance: the test server needs none

    await server.close(1012, 'restart')
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', lastClose: { code: 1012 } })
    expect(socket.send('chat', { text: 'while down' })).toBe('queued')

    await vi.advanceTimersByTimeAsync(100) // the retry delay
    await server.waitForConnection()
    expect((await server.waitForMessage('chat')).data).toEqual({ text: 'while down' })
    socket.dispose()
  })

  it('stops for good when the server says 4401', async () => {
    const socket = open()
    await server.waitForConnection()
    await server.close(4401, 'unauthorized')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(socket.getSnapshot()).toMatchObject({ status: 'closed', lastClose: { code: 4401 } })
    expect(server.connections).toHaveLength(1)
  })

  it('reports a crash as 1006 and reconnects', async () => {
    const socket = open()
    const closes: number[] = []
    socket.on('close', ({ code }) => closes.push(code))
    await server.waitForConnection()
    await server.drop()
    await vi.advanceTimersByTimeAsync(100)
    await server.waitForConnection()
    expect(closes).toEqual([1006])
    socket.dispose()
  })

  it('backs off 100, 200, 400 ms while handshakes are refused', async () => {
    server.refuse(Infinity)
    const socket = open()
    const delays: number[] = []
    socket.on('reconnecting', ({ delay }) => delays.push(delay))
    await vi.advanceTimersByTimeAsync(100 + 200)
    expect(delays).toEqual([100, 200, 400])
    socket.dispose()
  })

  it('notices a server that stopped answering pings within interval + timeout', async () => {
    const socket = open({ heartbeat: { interval: 1000, timeout: 500 } })
    const errors: string[] = []
    socket.on('error', (error) => errors.push(error.code))
    await server.waitForConnection()

    server.answerPings(false)
    await vi.advanceTimersByTimeAsync(1000 + 500 + 10)
    expect(errors).toEqual(['HEARTBEAT_TIMEOUT'])
    socket.dispose()
  })

  it('gives up on a handshake lost in a black hole after connectTimeout', async () => {
    server.blackhole()
    const socket = open({ connectTimeout: 2000 })
    const errors: string[] = []
    socket.on('error', (error) => errors.push(error.code))
    await vi.advanceTimersByTimeAsync(2000 + 10)
    expect(errors).toEqual(['CONNECT_TIMEOUT'])
    socket.dispose()
  })
})
// #endregion
