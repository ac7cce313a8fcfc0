import { describe, expect, it, vi } from 'vitest'
import {
  BATCH_FRAMES,
  classify,
  createWriteBatch,
  encodeEnvelope,
  envelope,
  errorReply,
  isPing,
  isPong,
  isTerminalCloseCode,
  pongFrame,
  reply,
} from '../protocol.js'

describe('classify', () => {
  it('tells a message, a request, a reply and an error reply apart', () => {
    expect(classify({ type: 'chat', data: { text: 'hi' } })).toEqual({
      kind: 'message',
      type: 'chat',
      data: { text: 'hi' },
    })
    expect(classify({ type: 'getUser', data: { id: '42' }, id: 'r.1' })).toEqual({
      kind: 'request',
      type: 'getUser',
      data: { id: '42' },
      id: 'r.1',
    })
    expect(classify({ re: 'r.1', data: 1 })).toEqual({ kind: 'reply', re: 'r.1', data: 1, error: undefined })
    expect(classify({ re: 'r.2', error: { message: 'no' } })).toMatchObject({ kind: 'reply', error: { message: 'no' } })
  })

  it('takes a string re as a reply whatever else the object has', () => {
    expect(classify({ re: 'r.1', type: 'chat', id: 'x' })).toMatchObject({ kind: 'reply', re: 'r.1' })
  })

  it('recognises the heartbeat envelopes, a ping with or without an id', () => {
    expect(classify({ type: 'ping' })).toEqual({ kind: 'ping', id: undefined })
    expect(classify({ type: 'ping', id: 'p' })).toEqual({ kind: 'ping', id: 'p' })
    expect(classify({ type: 'pong' })).toEqual({ kind: 'pong' })
  })

  it('calls bad what is no envelope: no object, no string type, an id or re that is not a string', () => {
    for (const value of [null, undefined, 1, 'ping', [{ type: 'chat' }], {}, { data: 1 }, { type: 1 }]) {
      expect(classify(value)).toEqual({ kind: 'bad' })
    }
    expect(classify({ type: 'getUser', id: 42 })).toEqual({ kind: 'bad' })
    expect(classify({ re: 7, data: 1 })).toEqual({ kind: 'bad' })
  })
})

describe('envelopes', () => {
  it('leaves out undefined data and id, as the wire format says', () => {
    expect(encodeEnvelope(envelope('tick'))).toBe('{"type":"tick"}')
    expect(encodeEnvelope(envelope('confirm', { text: 'ok?' }, 's.1'))).toBe(
      '{"type":"confirm","data":{"text":"ok?"},"id":"s.1"}',
    )
    expect(encodeEnvelope(reply('s.1', true))).toBe('{"re":"s.1","data":true}')
    expect(encodeEnvelope(errorReply('s.1', { code: 'NOT_FOUND', message: 'no' }))).toBe(
      '{"re":"s.1","error":{"code":"NOT_FOUND","message":"no"}}',
    )
  })

  it('reads back as the kind it was made as', () => {
    const read = (message: object) => classify(JSON.parse(encodeEnvelope(message)))
    expect(read(envelope('chat', 1))).toMatchObject({ kind: 'message' })
    expect(read(envelope('chat', 1, 'r.1'))).toMatchObject({ kind: 'request', id: 'r.1' })
    expect(read(reply('r.1', 2))).toMatchObject({ kind: 'reply', re: 'r.1', data: 2 })
  })
})

describe('ping and pong', () => {
  it('knows the ping and the pong as envelopes and as the raw text frames', () => {
    expect([{ type: 'ping' }, { type: 'ping', id: 'p' }, 'ping'].every(isPing)).toBe(true)
    expect([{ type: 'pong' }, 'pong'].every(isPong)).toBe(true)
    expect([null, undefined, 'PING', { type: 'chat' }, { type: 'pong' }].some(isPing)).toBe(false)
    expect([null, undefined, 'ping', { type: 'ping' }].some(isPong)).toBe(false)
  })

  it('answers each ping in its own form, echoing an id', () => {
    expect(pongFrame('ping')).toBe('pong')
    expect(pongFrame({ type: 'ping' })).toBe('{"type":"pong"}')
    expect(pongFrame({ type: 'ping', id: 'p1' })).toBe('{"type":"pong","id":"p1"}')
  })
})

describe('close codes', () => {
  it('ends a client for good after 1000, 1003, 1007–1010 and 44xx only', () => {
    expect([1000, 1003, 1007, 1008, 1009, 1010, 4400, 4401, 4499].every(isTerminalCloseCode)).toBe(true)
    expect([1001, 1006, 1011, 1012, 1013, 4000, 4399, 4500, 4999].some(isTerminalCloseCode)).toBe(false)
  })
})

/** A WebSocket whose TCP socket can be corked, recording what reached the wire in which batch. */
function corkable() {
  const batches: string[][] = []
  let pending: string[] = []
  let corks = 0
  const tcp = {
    cork: () => {
      corks++
    },
    uncork: () => {
      corks--
      if (corks === 0 && pending.length) {
        batches.push(pending)
        pending = []
      }
    },
  }
  const socket = {
    _socket: tcp,
    send: (frame: string) => {
      if (corks > 0) pending.push(frame)
      else batches.push([frame])
    },
  }
  return { socket, batches, corked: () => corks > 0 }
}

describe('createWriteBatch', () => {
  it(`lets the frames of one turn go together, ${BATCH_FRAMES} at most, by the end of the turn`, async () => {
    const { socket, batches, corked } = corkable()
    const batch = createWriteBatch()
    for (let n = 0; n < 40; n++) batch.send(socket, String(n))
    expect(batches.map((b) => b.length)).toEqual([16, 16])
    await new Promise((resolve) => process.nextTick(resolve))
    expect(batches.map((b) => b.length)).toEqual([16, 16, 8])
    expect(batches.flat()).toEqual([...Array(40).keys()].map(String))
    expect(corked()).toBe(false)
  })

  it('lets a batch go at once on flush, and a later turn starts a new one', async () => {
    const { socket, batches, corked } = corkable()
    const batch = createWriteBatch()
    batch.send(socket, 'a')
    batch.send(socket, 'b')
    batch.flush()
    expect(batches).toEqual([['a', 'b']])
    expect(corked()).toBe(false)
    await new Promise((resolve) => process.nextTick(resolve))
    batch.send(socket, 'c')
    await new Promise((resolve) => process.nextTick(resolve))
    expect(batches).toEqual([['a', 'b'], ['c']])
  })

  it('writes straight through where the socket cannot be corked (browsers, other runtimes)', () => {
    const send = vi.fn()
    const batch = createWriteBatch()
    batch.send({ send }, 'a')
    batch.send({ send, _socket: null }, 'b')
    expect(send.mock.calls).toEqual([['a'], ['b']])
  })
})
