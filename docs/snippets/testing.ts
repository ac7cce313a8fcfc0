// Samples of docs/testing.md: a test file for vitest. Each region is pasted into the guide as it is.
// #region mock-socket
import { type ConnectOptions, connect } from '@lifeline/core'
import { Server, WebSocket } from 'mock-socket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

interface Incoming {
  echo: { text: string }
}
interface Outgoing {
  say: { text: string }
}

const url = 'ws://localhost:1234/live'
let server: Server
let answerPings: boolean
let heard: string[]

/** A mock server that answers pings and echoes every `say` back as `echo`. */
function startServer(): Server {
  // mock: false leaves globalThis.WebSocket alone: the socket gets mock-socket's as an option.
  const mock = new Server(url, { mock: false })
  mock.on('connection', (client) => {
    client.on('message', (frame) => {
      const message = JSON.parse(String(frame))
      if (message.type === 'ping') {
        if (answerPings) client.send(JSON.stringify({ type: 'pong' }))
        return
      }
      heard.push(message.data.text)
      client.send(JSON.stringify({ type: 'echo', data: message.data }))
    })
  })
  return mock
}

function open(options: ConnectOptions<Incoming, Outgoing> = {}) {
  return connect<Incoming, Outgoing>(url, {
    WebSocket,
    browserEvents: false,
    reconnect: { initialDelay: 100, jitter: 'none' }, // exact delays
    ...options,
  })
}

beforeEach(() => {
  vi.useFakeTimers()
  answerPings = true
  heard = []
  server = startServer()
})

afterEach(() => {
  server.stop()
  vi.useRealTimers()
})

describe('chat over mock-socket', () => {
  it('round-trips a typed message', async () => {
    const socket = open()
    const echoes: string[] = []
    socket.on('echo', ({ text }) => echoes.push(text))

    await vi.advanceTimersByTimeAsync(10) // mock-socket delivers each hop after 4 ms: the handshake…
    expect(socket.getSnapshot().status).toBe('open')
    expect(socket.send('say', { text: 'hello' })).toBe('sent')
    await vi.advanceTimersByTimeAsync(10) // …the message to the server, and the echo back
    expect(echoes).toEqual(['hello'])
    socket.dispose()
  })

  it('keeps what is sent during an outage and delivers it after reconnecting', async () => {
    const socket = open()
    await vi.advanceTimersByTimeAsync(10)

    server.close({ code: 1012, reason: 'restart', wasClean: true }) // every client gets the close
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', lastClose: { code: 1012 } })
    expect(socket.send('say', { text: 'while down' })).toBe('queued')

    server = startServer() // back up before the retry
    await vi.advanceTimersByTimeAsync(100 + 10) // the retry delay, then the hops
    expect(socket.getSnapshot().status).toBe('open')
    expect(heard).toEqual(['while down'])
    socket.dispose()
  })
})
// #endregion

// #region fake-timers
describe('timing, with fake timers', () => {
  it('backs off 100, 200, 400, 800 ms while the server turns everyone away', async () => {
    server.stop()
    // mock-socket reports "no server" as a close with 1000, which Lifeline takes as final.
    // A server that closes every connection with a retryable code plays an outage instead.
    server = new Server(url, { mock: false })
    server.on('connection', (client) => client.close({ code: 1011, reason: 'internal error', wasClean: true }))
    const socket = open()
    const delays: number[] = []
    socket.on('reconnecting', ({ delay }) => delays.push(delay))

    await vi.advanceTimersByTimeAsync(750)
    expect(delays).toEqual([100, 200, 400, 800])
    socket.dispose()
  })

  it('drops a link that stopped answering pings within interval + timeout', async () => {
    const socket = open({ heartbeat: { interval: 1000, timeout: 500 } })
    const errors: string[] = []
    socket.on('error', (error) => errors.push(error.code))
    await vi.advanceTimersByTimeAsync(10)

    answerPings = false
    await vi.advanceTimersByTimeAsync(1000 + 500 + 10)
    expect(errors).toEqual(['HEARTBEAT_TIMEOUT'])
    expect(socket.getSnapshot().lastClose).toEqual({ code: 1006, reason: '', wasClean: false })
    socket.dispose()
  })

  it('sends nothing into a link whose deadline passed while the laptop slept', async () => {
    const socket = open({ heartbeat: { interval: 1000, timeout: 500 } })
    await vi.advanceTimersByTimeAsync(10)

    vi.setSystemTime(Date.now() + 60_000) // the clock jumps, no timer runs
    expect(socket.send('say', { text: 'after sleep' })).toBe('queued')
    expect(socket.getSnapshot().status).toBe('reconnecting')

    await vi.advanceTimersByTimeAsync(100 + 10)
    expect(heard).toEqual(['after sleep'])
    socket.dispose()
  })
})
// #endregion
