import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { rawCodec } from '../codec.js'
import { openLink, setup } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

interface Incoming {
  chat: { from: string; text: string }
  presence: { online: string[] }
}

describe('incoming messages', () => {
  it('emits message with the envelope and the data under its type', async () => {
    const { socket } = setup<Incoming>()
    const chat = vi.fn()
    const message = vi.fn()
    socket.on('chat', chat)
    socket.on('message', message)
    const ws = await openLink()
    ws.serverSend({ type: 'chat', data: { from: 'ada', text: 'hi' }, id: 'r1' })
    expect(chat).toHaveBeenCalledWith({ from: 'ada', text: 'hi' })
    expect(message).toHaveBeenCalledWith({ type: 'chat', data: { from: 'ada', text: 'hi' }, id: 'r1' })
    socket.dispose()
  })

  it('emits a reserved type only as message', async () => {
    const { socket, names } = setup()
    const message = vi.fn()
    socket.on('message', message)
    const ws = await openLink()
    ws.serverSend({ type: 'close', data: { code: 1 } })
    ws.serverSend({ type: 'error' })
    expect(message).toHaveBeenCalledTimes(2)
    expect(names()).toEqual(['open'])
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })

  it('delivers values without a string type only as message', async () => {
    const { socket } = setup()
    const message = vi.fn()
    socket.on('message', message)
    const ws = await openLink()
    for (const value of ['[1,2]', '42', 'null', '{"type":7}']) ws.serverSend(value)
    expect(message.mock.calls.map(([m]) => m)).toEqual([[1, 2], 42, null, { type: 7 }])
    socket.dispose()
  })

  it('reports malformed frames as DECODE_FAILED and carries on', async () => {
    const { socket, events } = setup()
    const message = vi.fn()
    socket.on('message', message)
    const ws = await openLink()
    ws.serverSend('{not json')
    ws.serverSend({ type: 'ok' })
    expect(events.find(([n]) => n === 'error')?.[1]).toMatchObject({ code: 'DECODE_FAILED' })
    expect(message).toHaveBeenCalledTimes(1)
    expect(socket.getSnapshot().lastError?.code).toBe('DECODE_FAILED')
    socket.dispose()
  })

  it('still takes the former name maxIncomingBytes, and the new name wins when both are given', async () => {
    const { socket, events } = setup({ maxIncomingBytes: 5 })
    const ws = await openLink()
    ws.serverSend('"123456"')
    const both = setup({ maxIncomingBytes: 5, maxMessageBytes: 100 })
    const second = await openLink()
    second.serverSend('"123456"')
    expect(events.filter(([n]) => n === 'error').map(([, e]) => (e as { code: string }).code)).toEqual([
      'MESSAGE_TOO_LARGE',
    ])
    expect(both.events.filter(([n]) => n === 'error')).toEqual([])
    expect(ws).not.toBe(second)
    socket.dispose()
    both.socket.dispose()
  })

  it('drops frames over maxMessageBytes before parsing', async () => {
    const decode = vi.fn(JSON.parse)
    const { socket, events } = setup({ maxMessageBytes: 10, codec: { encode: JSON.stringify, decode } })
    const ws = await openLink()
    ws.serverSend('"ééééé"') // 12 bytes
    ws.serverSend(new ArrayBuffer(11))
    ws.serverSend('"ok"')
    expect(events.filter(([n]) => n === 'error').map(([, e]) => (e as { code: string }).code)).toEqual([
      'MESSAGE_TOO_LARGE',
      'MESSAGE_TOO_LARGE',
    ])
    expect(decode).toHaveBeenCalledTimes(1)
    socket.dispose()
  })

  it('leaves Object.prototype untouched by __proto__ and constructor types and keys', async () => {
    const { socket } = setup()
    const message = vi.fn()
    socket.on('message', message)
    const ws = await openLink()
    ws.serverSend('{"type":"__proto__","data":{"polluted":true}}')
    ws.serverSend('{"type":"constructor","data":{"polluted":true}}')
    ws.serverSend('{"type":"x","__proto__":{"polluted":true}}')
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
    expect(message).toHaveBeenCalledTimes(3)
    socket.dispose()
  })

  it('delivers every frame as it came with rawCodec', async () => {
    const { socket } = setup({ codec: rawCodec })
    const message = vi.fn()
    socket.on('message', message)
    const ws = await openLink()
    const buffer = new ArrayBuffer(3)
    ws.serverSend('{"type":"chat"}')
    ws.serverSend(buffer)
    expect(message.mock.calls).toEqual([['{"type":"chat"}'], [buffer]])
    socket.dispose()
  })
})

describe('handlers', () => {
  it('a throwing handler yields HANDLER_FAILED and the other handlers still run', async () => {
    const { socket, events } = setup<Incoming>()
    const after = vi.fn()
    socket.on('chat', () => {
      throw new Error('boom')
    })
    socket.on('chat', after)
    const ws = await openLink()
    ws.serverSend({ type: 'chat', data: { from: 'a', text: 'b' } })
    expect(after).toHaveBeenCalledTimes(1)
    const [, error] = events.find(([n]) => n === 'error') as [string, { code: string; cause: Error }]
    expect(error.code).toBe('HANDLER_FAILED')
    expect(error.cause.message).toBe('boom')
    ws.serverSend({ type: 'chat', data: { from: 'a', text: 'c' } })
    expect(after).toHaveBeenCalledTimes(2)
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })

  it('a throwing error, state or subscribe handler is reported as uncaught, never re-reported', async () => {
    const uncaught = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { socket } = setup()
    const onError = vi.fn(() => {
      throw new Error('in error handler')
    })
    socket.on('error', onError)
    socket.on('state', () => {
      throw new Error('in state handler')
    })
    socket.subscribe(() => {
      throw new Error('in subscriber')
    })
    const ws = await openLink()
    uncaught.mockClear()
    ws.serverSend('{broken')
    expect(onError).toHaveBeenCalledTimes(1)
    expect(uncaught.mock.calls.map(([e]) => (e as Error).message).sort()).toEqual([
      'in error handler',
      'in state handler',
      'in subscriber',
    ])
    expect(socket.getSnapshot().status).toBe('open')
    socket.dispose()
  })

  it('a throwing handler is reported as uncaught when nobody listens for errors', async () => {
    const uncaught = vi.spyOn(console, 'error').mockImplementation(() => {})
    const socket = (await import('../connect.js')).connect<Incoming>('wss://a.test', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
    })
    socket.on('chat', () => {
      throw new Error('bug in app')
    })
    ;(await openLink()).serverSend({ type: 'chat', data: { from: 'a', text: 'b' } })
    expect(uncaught).toHaveBeenCalledWith(new Error('bug in app'))
    expect(socket.getSnapshot().lastError).toMatchObject({ code: 'HANDLER_FAILED' })
    socket.dispose()
  })

  it('once() fires a single time; off() and the returned function unsubscribe', async () => {
    const { socket } = setup<Incoming>()
    const once = vi.fn()
    const on = vi.fn()
    const off = vi.fn()
    socket.once('chat', once)
    const stop = socket.on('chat', on)
    socket.on('chat', off)
    socket.off('chat', off)
    const ws = await openLink()
    const data = { from: 'a', text: 'b' }
    ws.serverSend({ type: 'chat', data })
    stop()
    ws.serverSend({ type: 'chat', data })
    expect(once).toHaveBeenCalledTimes(1)
    expect(on).toHaveBeenCalledTimes(1)
    expect(off).not.toHaveBeenCalled()
    socket.dispose()
  })

  it('the same handler on two types is removed from the one asked only', async () => {
    const { socket } = setup<Incoming>()
    const handler = vi.fn()
    socket.on('chat', handler)
    socket.on('presence', handler)
    socket.off('chat', handler)
    const ws = await openLink()
    ws.serverSend({ type: 'chat', data: {} })
    ws.serverSend({ type: 'presence', data: { online: [] } })
    expect(handler).toHaveBeenCalledTimes(1)
    socket.dispose()
  })

  it('handlers may close the socket from inside a lifecycle event', async () => {
    const { socket } = setup()
    socket.on('close', () => socket.close())
    ;(await openLink()).serverClose(1006)
    expect(socket.getSnapshot().status).toBe('closed')
    expect(vi.getTimerCount()).toBe(0)
    socket.dispose()
  })
})

describe('help for JavaScript callers', () => {
  it('refuses a type that is not a string, and a payload JSON would leave out of the frame', () => {
    const { socket } = setup()
    const send = socket.send as (type: unknown, data?: unknown) => unknown
    const request = socket.request as (type: unknown, data?: unknown) => unknown
    expect(() => send(undefined, {})).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
    expect(() => request(42)).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
    expect(() => socket.send('chat', () => 'hi')).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
    expect(() => socket.send('chat', Symbol('hi'))).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
    expect(socket.getSnapshot().queued).toBe(0)
    socket.dispose()
  })

  it('refuses a misspelt option instead of ignoring it', () => {
    expect(() => setup({ hearbeat: true } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', message: 'unknown option hearbeat' }),
    )
    expect(() => setup({ reconnect: { maxDelays: 1 } } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', message: 'unknown option reconnect.maxDelays' }),
    )
  })
})
