import net from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  type Chat,
  FAST_HEARTBEAT,
  FAST_RECONNECT,
  nextEvent,
  RAW_ABRUPT_CLOSE_CODE,
  RawClient,
  Resources,
} from './support/client.js'
import { within } from './support/faults.js'
import { FaultProxy } from './support/proxy.js'
import { TestServer } from './support/server.js'

const resources = new Resources()
afterEach(() => resources.dispose())

/** TCP servers and sockets the process holds now. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const name of process.getActiveResourcesInfo()) {
    if (name.startsWith('TCP')) counts[name] = (counts[name] ?? 0) + 1
  }
  return counts
}

const rawClients = new Set<RawClient>()
afterEach(async () => {
  await Promise.all([...rawClients].map((client) => client.dispose()))
  rawClients.clear()
})

/** A raw client WebSocket, for checking the tools without Lifeline in between; ended after the test. */
async function rawClient(url: string): Promise<RawClient> {
  const client = await RawClient.open(url)
  rawClients.add(client)
  return client
}

/** Resolves with how a TCP connection to `port` ended: `'reset'`, `'closed'` or the error code. */
function tcpOutcome(port: number): Promise<string> {
  const socket = net.connect({ port, host: '127.0.0.1' })
  return new Promise<string>((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNRESET' ? 'reset' : String(error.code)),
    )
    socket.once('close', () => resolve('closed'))
  }).finally(() => socket.destroy())
}

/** A TCP server that keeps every byte each connection sends, until it ends. */
async function tcpSink(): Promise<{ port: number; received: Promise<string>; close: () => Promise<void> }> {
  let deliver: (text: string) => void = () => {}
  const received = new Promise<string>((resolve) => {
    deliver = resolve
  })
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.once('end', () => {
      deliver(Buffer.concat(chunks).toString())
      socket.end()
    })
  })
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve))
  const { port } = server.address() as net.AddressInfo
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** A raw TCP connection to `port`, once connected. */
async function tcpClient(port: number): Promise<net.Socket> {
  const socket = net.connect({ port, host: '127.0.0.1' })
  socket.setNoDelay(true)
  await new Promise((resolve) => socket.once('connect', resolve))
  return socket
}

/** Keeps the event loop busy for `ms`, as a loaded machine would between two reads. */
function spin(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {}
}

describe('TestServer', () => {
  it('restarts on the same port, closing clients with 1001 and counting handshakes', async () => {
    const server = await resources.server()
    const port = server.port
    const client = await rawClient(server.url('/a?x=1'))

    await server.restart()

    expect(await client.closed).toMatchObject({ code: 1001 })
    expect(server.port).toBe(port)
    expect(server.listening).toBe(true)
    const again = await rawClient(server.url('/b'))
    again.close()
    expect(server.handshakes).toEqual(['/a?x=1', '/b'])
    expect(server.connections.map((c) => c.closedWith?.code ?? null)).toEqual([1001, null])
  })

  it('refuses connections while stopped and after a crash', async () => {
    const server = await resources.server()
    await server.crash()
    expect(server.listening).toBe(false)
    expect(await tcpOutcome(server.port)).toBe('ECONNREFUSED')
  })

  it('leaves no TCP server or socket behind once closed, whatever the link went through', async () => {
    const server = await TestServer.start()
    const proxy = await FaultProxy.start({ target: { port: server.port } })
    const socket = new Resources().connect<Chat, Chat>(proxy.url(), {
      reconnect: FAST_RECONNECT,
      heartbeat: FAST_HEARTBEAT,
    })
    await nextEvent(socket, 'open')
    proxy.delay(10)
    socket.send('chat', { text: 'slow', seq: 1 })
    proxy.blackhole()
    await nextEvent(socket, 'open')
    const ended = new Promise((resolve) => server.open[0]?.ws.once('close', resolve))

    socket.dispose()
    await proxy.close()
    await server.close()
    await ended

    expect(proxy.connections).toBe(0)
    // Node releases a closed handle a loop turn or two after its close callback.
    await vi.waitFor(() => expect(handles()).toEqual({}), { timeout: 1000, interval: 5 })
  })
})

describe('FaultProxy', () => {
  it('forwards both ways until cut, then resets both ends', async () => {
    const server = await resources.server()
    const proxy = await resources.proxy({ target: { port: server.port } })
    const client = await rawClient(proxy.url())
    const echoed = client.nextMessage()
    client.send(JSON.stringify({ type: 'chat', data: 'hi' }))
    expect(await echoed).toBe('{"type":"chat","data":"hi"}')
    expect(proxy.connections).toBe(1)

    proxy.cut()

    expect(await client.closed).toEqual({ code: RAW_ABRUPT_CLOSE_CODE, wasClean: false })
    expect(await server.last.closed).toMatchObject({ code: 1006 })
    expect(proxy.connections).toBe(0)
  })

  it('refuses new connections with a reset, and forwards them again afterwards', async () => {
    const server = await resources.server()
    const proxy = await resources.proxy({ target: { port: server.port } })
    proxy.refuse()
    expect(await tcpOutcome(proxy.port)).toBe('reset')
    proxy.forward()
    const client = await rawClient(proxy.url())
    client.close()
    expect(proxy.accepted).toBe(2)
    expect(server.handshakes).toHaveLength(1)
  })

  it('keeps byte order through a delay that changes mid-stream while the loop is busy', async () => {
    const sink = await tcpSink()
    const proxy = await resources.proxy({ target: { port: sink.port } })
    const client = await tcpClient(proxy.port)
    try {
      let sent = ''
      // Each chunk in its own loop turn, so the proxy reads (and schedules) them one by one; the
      // delay falls back and forth, so later chunks would wait less than earlier ones on their own.
      for (let i = 0; i < 400; i++) {
        proxy.delay([12, 0, 5, 1][Math.floor(i / 25) % 4] as number)
        const chunk = `${i},`
        client.write(chunk)
        sent += chunk
        spin(0.05)
        await new Promise((resolve) => setImmediate(resolve))
      }
      client.end()

      expect(await within(sink.received, 'the end of the stream')).toBe(sent)
    } finally {
      client.destroy()
      await sink.close()
    }
  })

  it('pauses the sender beyond maxDelayedBytes and resumes it, bytes intact', async () => {
    const sink = await tcpSink()
    // Every chunk goes beyond the limit, so each one pauses the sender until it is written.
    const proxy = await resources.proxy({ target: { port: sink.port }, maxDelayedBytes: 1 })
    const client = await tcpClient(proxy.port)
    try {
      proxy.delay(2)
      const sent = Buffer.alloc(256 * 1024, 'abcdefghijklmnopqrstuvwxyz0123456789').toString()
      client.end(sent)

      expect(await within(sink.received, 'the end of the stream')).toBe(sent)
    } finally {
      client.destroy()
      await sink.close()
    }
  })

  it('resets the client when the target is down, as a refused connection would', async () => {
    const server = await resources.server()
    const proxy = await resources.proxy({ target: { port: server.port } })
    await server.crash()
    expect(await tcpOutcome(proxy.port)).toBe('reset')
  })
})
