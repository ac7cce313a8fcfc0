import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LifelineError, Socket } from '../../src/index.js'
import { eventNames, nextEvent, Resources, recordEvents } from '../support/client.js'
import { within } from '../support/faults.js'
import type { TestServer } from '../support/server.js'

const resources = new Resources()
let objectPrototypeKeys: string[] = []
beforeEach(() => {
  objectPrototypeKeys = Reflect.ownKeys(Object.prototype).map(String).sort()
})
afterEach(async () => {
  vi.restoreAllMocks()
  await resources.dispose()
})

/** Frames a server sends as they are, then an `end` envelope: once `end` arrives, every frame before it has been handled. */
async function sendThenEnd(server: TestServer, frames: Array<string | Buffer>): Promise<void> {
  const connection = server.last
  for (const frame of frames) connection.ws.send(frame, { binary: typeof frame !== 'string' })
  connection.send({ type: 'end' })
}

/** A socket on a server, with everything it emits recorded; `console.error` (uncaught reports) spied on. */
async function hostile(options: { maxMessageBytes?: number } = {}) {
  const server = await resources.server()
  const uncaught = vi.spyOn(console, 'error')
  const socket = resources.connect(server.url(), options)
  const log = recordEvents(socket)
  const messages: unknown[] = []
  socket.on('message', (message) => messages.push(message))
  await nextEvent(socket, 'open')
  const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()))
  return { server, socket, log, messages, uncaught, ended }
}

/** The client still works: a chat goes out and its echo comes back. */
async function stillAlive(socket: Socket): Promise<void> {
  const echo = new Promise((resolve) => socket.once('chat', resolve))
  expect(socket.send('chat', { text: 'still here' })).toBe('sent')
  expect(await echo).toEqual({ text: 'still here' })
  expect(socket.getSnapshot().status).toBe('open')
}

describe('a hostile server', () => {
  it('sends malformed JSON: each frame is one DECODE_FAILED error, the link stays up', async () => {
    const { server, socket, log, messages, uncaught, ended } = await hostile()
    const malformed = ['{broken', '', 'undefined', '{"type":"chat",', "{'type':'chat'}", 'NaN', '\u0000', '[1,]']
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3])

    await sendThenEnd(server, [...malformed, garbage])
    await within(ended, 'the end envelope')

    const errors = eventNames(log).filter((name) => name.startsWith('error'))
    expect(errors).toEqual(Array(malformed.length + 1).fill('error:DECODE_FAILED'))
    const causes = log.filter(([type]) => type === 'error').map(([, e]) => (e as LifelineError).cause)
    expect(causes.every((cause) => cause instanceof SyntaxError)).toBe(true)
    expect(messages).toEqual([{ type: 'end' }])
    expect(uncaught).not.toHaveBeenCalled()
    await stillAlive(socket)
  })

  it('sends values of the wrong shape: each is a plain message, only string types reach typed handlers, reserved names never fire lifecycle events', async () => {
    const { server, socket, log, messages, uncaught, ended } = await hostile()
    const chats: unknown[] = []
    socket.on('chat', (data) => chats.push(data))
    const shapes = [
      null,
      42,
      'chat',
      true,
      [],
      [{ type: 'chat', data: 'in an array' }],
      { type: 5, data: 'numeric type' },
      { type: null, data: 'null type' },
      { type: { nested: 'chat' }, data: 'object type' },
      { data: 'no type' },
      { type: 'chat' },
      { type: 'chat', data: null },
      { type: 'open', data: 'not an open' },
      { type: 'close', data: { code: 1000, willReconnect: false } },
      { type: 'error', data: 'not an error' },
      { type: 'state', data: { status: 'closed' } },
      { type: 'drop', data: 'x' },
      { type: 'latency', data: -1 },
      { type: 'reconnecting', data: { attempt: 99, delay: 0 } },
      { type: 'message', data: 'x' },
    ]

    await sendThenEnd(
      server,
      shapes.map((shape) => JSON.stringify(shape)),
    )
    await within(ended, 'the end envelope')

    expect(messages).toEqual([...shapes, { type: 'end' }])
    expect(chats).toEqual([undefined, null])
    expect(eventNames(log)).toEqual(['open'])
    expect(socket.getSnapshot()).toMatchObject({ status: 'open', lastError: null, lastClose: null, latency: null })
    expect(uncaught).not.toHaveBeenCalled()
    await stillAlive(socket)
  })

  it('sends frames over maxMessageBytes, counted in UTF-8 bytes: dropped unparsed with MESSAGE_TOO_LARGE, the link stays up', async () => {
    const limit = 1024
    const { server, socket, log, messages, uncaught, ended } = await hostile({ maxMessageBytes: limit })
    const envelope = (text: string) => JSON.stringify({ type: 'big', data: text })
    const overhead = envelope('').length
    const exactly = envelope('a'.repeat(limit - overhead)) // 1024 bytes: accepted
    const oneOver = envelope('a'.repeat(limit - overhead + 1))
    const multibyte = envelope('€'.repeat(400)) // under 1024 characters, 1200+ bytes
    const binary = Buffer.alloc(limit + 1, 0x20)

    await sendThenEnd(server, [exactly, oneOver, multibyte, binary, `{not json but too big${' '.repeat(limit)}`])
    await within(ended, 'the end envelope')

    expect(Buffer.byteLength(exactly)).toBe(limit)
    expect(multibyte.length).toBeLessThan(limit)
    expect(eventNames(log)).toEqual(['open', ...Array(4).fill('error:MESSAGE_TOO_LARGE')])
    expect(messages).toEqual([JSON.parse(exactly), { type: 'end' }])
    expect(uncaught).not.toHaveBeenCalled()
    await stillAlive(socket)
  })

  it('sends one frame over the default 16 MiB limit: dropped with MESSAGE_TOO_LARGE', async () => {
    const { server, socket, log, messages, ended } = await hostile()
    const huge = JSON.stringify({ type: 'big', data: 'x'.repeat(16 * 1024 * 1024) })

    await sendThenEnd(server, [huge])
    await within(ended, 'the end envelope')

    expect(eventNames(log)).toEqual(['open', 'error:MESSAGE_TOO_LARGE'])
    expect(messages).toEqual([{ type: 'end' }])
    await stillAlive(socket)
  })

  it('sends __proto__, constructor and prototype keys: delivered as plain data, Object.prototype untouched', async () => {
    const { server, socket, log, messages, uncaught, ended } = await hostile()
    const seen: Array<[string, unknown]> = []
    for (const type of ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'chat']) {
      socket.on(type, (data) => seen.push([type, data]))
    }
    const frames = [
      '{"type":"__proto__","data":{"polluted":true}}',
      '{"type":"constructor","data":{"prototype":{"polluted":true}}}',
      '{"type":"prototype","data":{"polluted":true}}',
      '{"type":"toString","data":"not a function"}',
      '{"type":"hasOwnProperty","data":1}',
      '{"__proto__":{"polluted":true,"type":"chat"}}',
      '{"type":"chat","data":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}',
      '{"type":"valueOf","__proto__":{"type":"open"}}',
    ]

    await sendThenEnd(server, frames)
    await within(ended, 'the end envelope')

    expect(Reflect.ownKeys(Object.prototype).map(String).sort()).toEqual(objectPrototypeKeys)
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
    expect(Object.prototype.toString.call([])).toBe('[object Array]')
    expect(seen.map(([type]) => type)).toEqual([
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'chat',
    ])
    expect(seen[0]![1]).toEqual({ polluted: true })
    expect(Object.getPrototypeOf(seen[0]![1])).toBe(Object.prototype)
    const chat = seen[5]![1] as object
    expect(Object.getOwnPropertyNames(chat).sort()).toEqual(['__proto__', 'constructor'])
    expect(Object.getPrototypeOf(chat)).toBe(Object.prototype)
    // A `__proto__` key made no typed event: the envelope's own `type` is what counts.
    expect(messages).toHaveLength(frames.length + 1)
    expect(eventNames(log)).toEqual(['open'])
    expect(uncaught).not.toHaveBeenCalled()
    await stillAlive(socket)
  })
})
