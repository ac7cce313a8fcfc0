import { describe, expect, it } from 'vitest'
import { encode, messageFrame, readFrame } from '../frames.js'

const text = (frame: string) => readFrame(Buffer.from(frame), false, 1024)

describe('readFrame', () => {
  it('reads a message, a request, a reply and an error reply of the JSON envelope', () => {
    expect(text('{"type":"chat","data":{"text":"hi"}}')).toEqual({
      kind: 'message',
      type: 'chat',
      data: { text: 'hi' },
    })
    expect(text('{"type":"typing"}')).toEqual({ kind: 'message', type: 'typing', data: undefined })
    expect(text('{"type":"getUser","data":{"id":"42"},"id":"r.1"}')).toEqual({
      kind: 'request',
      type: 'getUser',
      data: { id: '42' },
      id: 'r.1',
    })
    expect(text('{"re":"s.1","data":true}')).toEqual({ kind: 'reply', re: 's.1', data: true, error: undefined })
    expect(text('{"re":"s.2","error":{"message":"no"}}')).toEqual({
      kind: 'reply',
      re: 's.2',
      data: undefined,
      error: { message: 'no' },
    })
  })

  it('recognises the heartbeat: the ping envelope (with or without id), the text frame ping, and ignores pongs', () => {
    expect(text('{"type":"ping"}')).toEqual({ kind: 'ping', id: undefined })
    expect(text('{"type":"ping","id":"p"}')).toEqual({ kind: 'ping', id: 'p' })
    expect(text('ping')).toEqual({ kind: 'text-ping' })
    expect(text('{"type":"pong"}')).toEqual({ kind: 'ignored' })
  })

  it('reads a binary frame as UTF-8 JSON, as the client codec does, but not as a text ping', () => {
    const binary = new TextEncoder().encode('{"type":"chat","data":"é"}')
    expect(readFrame(Buffer.from(binary), true, 1024)).toEqual({ kind: 'message', type: 'chat', data: 'é' })
    expect(readFrame(Buffer.from('ping'), true, 1024)).toEqual({ kind: 'bad', reason: 'invalidJson' })
    const arrayBuffer = binary.buffer.slice(binary.byteOffset, binary.byteOffset + binary.byteLength)
    expect(readFrame(arrayBuffer, true, 1024)).toMatchObject({ kind: 'message', data: 'é' })
    expect(readFrame([Buffer.from('{"type":'), Buffer.from('"a"}')], false, 1024)).toMatchObject({ type: 'a' })
  })

  it('calls what is not JSON invalidJson and JSON that is no envelope invalidEnvelope, never throwing', () => {
    for (const frame of ['', '{', 'pong', '{"type":"chat"', '\u0000']) {
      expect(text(frame)).toEqual({ kind: 'bad', reason: 'invalidJson' })
    }
    for (const frame of ['null', '1', '"chat"', '[{"type":"chat"}]', '{}', '{"data":1}', '{"type":1}']) {
      expect(text(frame)).toEqual({ kind: 'bad', reason: 'invalidEnvelope' })
    }
    expect(text('{"type":"getUser","id":42}')).toEqual({ kind: 'bad', reason: 'invalidEnvelope' })
    const long = (n: number) => readFrame(Buffer.from(`{"type":"getUser","id":"${'i'.repeat(n)}"}`), false, 1024)
    expect(long(256)).toMatchObject({ kind: 'request' })
    expect(long(257)).toEqual({ kind: 'bad', reason: 'invalidEnvelope' })
    expect(text('{"re":7,"data":1}')).toEqual({ kind: 'bad', reason: 'invalidEnvelope' })
  })

  it('counts bytes, not characters, against the limit, before parsing', () => {
    const frame = `{"type":"t","data":"${'é'.repeat(10)}"}` // 20 characters of data, 30 bytes
    const bytes = Buffer.byteLength(frame)
    expect(readFrame(Buffer.from(frame), false, bytes)).toMatchObject({ kind: 'message' })
    expect(readFrame(Buffer.from(frame), false, bytes - 1)).toEqual({ kind: 'bad', reason: 'oversize' })
    expect(readFrame(Buffer.from('{'.repeat(2000)), false, 1024)).toEqual({ kind: 'bad', reason: 'oversize' })
  })
})

describe('encode', () => {
  it('leaves out undefined data and id', () => {
    expect(messageFrame('tick', undefined)).toBe('{"type":"tick"}')
    expect(messageFrame('confirm', { text: 'ok?' }, 's.1')).toBe('{"type":"confirm","data":{"text":"ok?"},"id":"s.1"}')
  })

  it('throws ENCODE_FAILED for what JSON cannot carry', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => encode({ type: 'x', data: 1n })).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
    expect(() => messageFrame('x', cycle)).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
  })
})
