import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BrowserEventTarget, ConnectOptions } from '../src/index.js'
import {
  type Chat,
  eventNames,
  FAST_HEARTBEAT,
  FAST_RECONNECT,
  nextEvent,
  Resources,
  recordEvents,
} from './support/client.js'

const resources = new Resources()
afterEach(async () => {
  vi.restoreAllMocks()
  await resources.dispose()
})

/** A stand-in for `window`: Node's EventTarget, with a visible document. */
function fakeWindow(): BrowserEventTarget & { fire(type: string): void } {
  const target = new EventTarget()
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' })
  return {
    addEventListener: (type, listener) => target.addEventListener(type, listener),
    removeEventListener: (type, listener) => target.removeEventListener(type, listener),
    document,
    fire: (type) => target.dispatchEvent(new Event(type)),
  }
}

/** A socket listening to a fake window, linked to a fresh server through a fault proxy. */
async function throughProxy(options: Omit<ConnectOptions<Chat, Chat>, 'browserEvents'>) {
  const server = await resources.server()
  const proxy = await resources.proxy({ target: { port: server.port } })
  const win = fakeWindow()
  const socket = resources.connect<Chat, Chat>(proxy.url(), { browserEvents: win, ...options })
  return { server, proxy, win, socket }
}

describe('browser events against a real server', () => {
  it('online during a long backoff wait reconnects at once', async () => {
    const server = await resources.server()
    const win = fakeWindow()
    const socket = resources.connect<Chat, Chat>(server.url(), {
      browserEvents: win,
      reconnect: { initialDelay: 60_000, maxDelay: 60_000, jitter: 'none' },
    })
    await nextEvent(socket, 'open')
    const waiting = nextEvent(socket, 'reconnecting')
    await server.restart()
    expect((await waiting).delay).toBe(60_000)

    const reopened = nextEvent(socket, 'open')
    win.fire('online')
    await reopened

    expect(socket.getSnapshot()).toMatchObject({ status: 'open', attempt: 0 })
    expect(server.handshakes).toHaveLength(2)
  })

  it('offline probes an open link with a ping, so a dead route is noticed within the timeout', async () => {
    const { server, proxy, win, socket } = await throughProxy({
      heartbeat: { interval: 60_000, timeout: 100 },
    })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')
    const timedOut = nextEvent(socket, 'error')

    proxy.blackhole()
    const probedAt = Date.now()
    win.fire('offline')

    expect((await timedOut).code).toBe('HEARTBEAT_TIMEOUT')
    expect(Date.now() - probedAt).toBeLessThan(100 + 150)
    expect(server.messagesOf('ping')).toHaveLength(0) // the probe went into the black hole
    expect(eventNames(log).slice(0, 3)).toEqual(['open', 'error:HEARTBEAT_TIMEOUT', 'close'])
  })

  it('pageshow after the heartbeat deadline passed unnoticed replaces a silent link after one turn', async () => {
    const { server, proxy, win, socket } = await throughProxy({
      heartbeat: FAST_HEARTBEAT,
      reconnect: FAST_RECONNECT,
    })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')
    const reopened = nextEvent(socket, 'open')
    proxy.blackhole()

    // The page was frozen: no timer ran past the deadline.
    const deadline = Date.now() + FAST_HEARTBEAT.interval + FAST_HEARTBEAT.timeout + 50
    while (Date.now() < deadline) {
      // frozen
    }
    const timedOut = nextEvent(socket, 'error')
    win.fire('pageshow')

    await timedOut
    expect(eventNames(log)).toEqual(['open', 'error:HEARTBEAT_TIMEOUT', 'close', 'reconnecting'])
    await reopened
    expect(server.connections).toHaveLength(2)
  })

  it('offline in the same millisecond as the last frame still probes: that frame is not the answer', async () => {
    const { proxy, win, socket } = await throughProxy({
      heartbeat: { interval: 60_000, timeout: 100 },
    })
    await nextEvent(socket, 'open')
    const timedOut = nextEvent(socket, 'error', undefined, 1000)
    // Hold the clock on one millisecond while the echo arrives and the page reports offline.
    const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now())
    let probedAt = 0
    socket.once('chat', () => {
      proxy.blackhole() // the route dies just after this frame
      win.fire('offline')
      clock.mockRestore()
      probedAt = Date.now()
    })
    socket.send('chat', { text: 'last words', seq: 1 })

    expect((await timedOut).code).toBe('HEARTBEAT_TIMEOUT')
    expect(Date.now() - probedAt).toBeLessThan(100 + 150)
  })
})
