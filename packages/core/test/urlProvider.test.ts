import { afterEach, describe, expect, it } from 'vitest'
import {
  type Chat,
  eventNames,
  FAST_RECONNECT,
  nextEvent,
  payloadsOf,
  Resources,
  recordEvents,
} from './support/client.js'

const resources = new Resources()
afterEach(() => resources.dispose())

describe('a URL provider', () => {
  it('is called once per attempt, and each handshake carries its fresh token', async () => {
    const server = await resources.server()
    let calls = 0
    const socket = resources.connect<Chat, Chat>(() => server.url(`/live?token=${++calls}`), {
      reconnect: FAST_RECONNECT,
    })
    await nextEvent(socket, 'open')

    for (const code of [1012, 4000]) {
      const reopened = nextEvent(socket, 'open')
      await server.last.close(code)
      await reopened
    }

    expect(calls).toBe(3)
    expect(server.handshakes).toEqual(['/live?token=1', '/live?token=2', '/live?token=3'])
    expect(server.connections.map((c) => c.url)).toEqual(server.handshakes)
  })

  it('is called for failed attempts too, so the link that opens uses the newest token', async () => {
    const server = await resources.server()
    let calls = 0
    const socket = resources.connect<Chat, Chat>(async () => server.url(`/?token=${++calls}`), {
      reconnect: FAST_RECONNECT,
    })
    const log = recordEvents(socket)
    await nextEvent(socket, 'open')

    await server.stop()
    await nextEvent(socket, 'error')
    await nextEvent(socket, 'error')
    const reopened = nextEvent(socket, 'open')
    await server.start()
    await reopened

    const failures = payloadsOf(log, 'error').length
    expect(failures).toBeGreaterThanOrEqual(2)
    expect(calls).toBe(1 + failures + 1)
    expect(server.handshakes).toEqual(['/?token=1', `/?token=${calls}`])
  })

  it('is single-flight: reconnect() while a provider is pending joins that attempt', async () => {
    const server = await resources.server()
    let calls = 0
    let release: (url: string) => void = () => {}
    const socket = resources.connect<Chat, Chat>(
      () => {
        calls++
        return new Promise<string>((resolve) => {
          release = resolve
        })
      },
      { reconnect: FAST_RECONNECT },
    )
    expect(socket.getSnapshot().status).toBe('connecting')

    socket.reconnect()
    socket.reconnect()
    const opened = nextEvent(socket, 'open')
    release(server.url('/?token=1'))
    await opened

    expect(calls).toBe(1)
    expect(server.handshakes).toEqual(['/?token=1'])
  })

  it('a protocols function is called per attempt too', async () => {
    const server = await resources.server()
    let calls = 0
    const socket = resources.connect<Chat, Chat>(server.url(), {
      reconnect: FAST_RECONNECT,
      protocols: () => [`v${++calls}`, 'fallback'],
    })
    await nextEvent(socket, 'open')
    const reopened = nextEvent(socket, 'open')
    await server.last.close(1012)
    await reopened

    expect(server.handshakeProtocols).toEqual(['v1,fallback', 'v2,fallback'])
    expect(server.connections.map((c) => c.ws.protocol)).toEqual(['v1', 'v2'])
  })

  it('a provider that fails reports URL_PROVIDER_FAILED and is retried', async () => {
    const server = await resources.server()
    let calls = 0
    const socket = resources.connect<Chat, Chat>(
      async () => {
        if (++calls === 1) throw new Error('token service down')
        return server.url(`/?token=${calls}`)
      },
      { reconnect: FAST_RECONNECT },
    )
    const log = recordEvents(socket)

    await nextEvent(socket, 'open')

    expect(eventNames(log)).toEqual(['error:URL_PROVIDER_FAILED', 'reconnecting', 'open'])
    expect(payloadsOf(log, 'error')[0]!.cause).toEqual(new Error('token service down'))
    expect(server.handshakes).toEqual(['/?token=2'])
  })
})
