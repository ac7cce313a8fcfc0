import { describe, expect, it } from 'vitest'
import { encode, messageFrame, nestsDeeper, readFrame } from '../frames.js'

const LIMITS = { maxBytes: 1024, maxDepth: 64 }
const text = (frame: string) => readFrame(Buffer.from(frame), false, LIMITS)

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
    expect(readFrame(Buffer.from(binary), true, LIMITS)).toEqual({ kind: 'message', type: 'chat', data: 'é' })
    expect(readFrame(Buffer.from('ping'), true, LIMITS)).toEqual({ kind: 'bad', reason: 'invalidJson' })
    const arrayBuffer = binary.buffer.slice(binary.byteOffset, binary.byteOffset + binary.byteLength)
    expect(readFrame(arrayBuffer, true, LIMITS)).toMatchObject({ kind: 'message', data: 'é' })
    expect(readFrame([Buffer.from('{"type":'), Buffer.from('"a"}')], false, LIMITS)).toMatchObject({ type: 'a' })
  })

  it('calls what is not JSON invalidJson and JSON that is no envelope invalidEnvelope, never throwing', () => {
    for (const frame of ['', '{', 'pong', '{"type":"chat"', '\u0000']) {
      expect(text(frame)).toEqual({ kind: 'bad', reason: 'invalidJson' })
    }
    for (const frame of ['null', '1', '"chat"', '[{"type":"chat"}]', '{}', '{"data":1}', '{"type":1}']) {
      expect(text(frame)).toEqual({ kind: 'bad', reason: 'invalidEnvelope' })
    }
    expect(text('{"type":"getUser","id":42}')).toEqual({ kind: 'bad', reason: 'invalidEnvelope' })
    const long = (n: number) => readFrame(Buffer.from(`{"type":"getUser","id":"${'i'.repeat(n)}"}`), false, LIMITS)
    expect(long(256)).toMatchObject({ kind: 'request' })
    expect(long(257)).toEqual({ kind: 'bad', reason: 'invalidEnvelope' })
    expect(text('{"re":7,"data":1}')).toEqual({ kind: 'bad', reason: 'invalidEnvelope' })
  })

  it('counts bytes, not characters, against the limit, before parsing', () => {
    const frame = `{"type":"t","data":"${'é'.repeat(10)}"}` // 20 characters of data, 30 bytes
    const bytes = Buffer.byteLength(frame)
    expect(readFrame(Buffer.from(frame), false, { maxBytes: bytes, maxDepth: 64 })).toMatchObject({ kind: 'message' })
    expect(readFrame(Buffer.from(frame), false, { maxBytes: bytes - 1, maxDepth: 64 })).toEqual({
      kind: 'bad',
      reason: 'oversize',
    })
    expect(readFrame(Buffer.from('{'.repeat(2000)), false, LIMITS)).toEqual({ kind: 'bad', reason: 'oversize' })
  })
})

describe('nesting depth', () => {
  const nested = (depth: number) => `{"type":"x","data":${'['.repeat(depth)}${']'.repeat(depth)}}`

  it('reads JSON nested up to maxDepth and refuses deeper JSON as tooDeep, unparsed', () => {
    expect(text(nested(63))).toMatchObject({ kind: 'message', type: 'x' })
    expect(text(nested(64))).toEqual({ kind: 'bad', reason: 'tooDeep' })
  })

  it('does not count brackets inside strings, escaped quotes included', () => {
    const inString = JSON.stringify({ type: 'x', data: `\\"${'['.repeat(500)}` })
    expect(text(inString)).toMatchObject({ kind: 'message', type: 'x' })
  })

  it('refuses a megabyte nested 500,000 levels deep', () => {
    const deep = Buffer.from(`{"type":"x","data":${'['.repeat(500_000)}${']'.repeat(500_000)}}`)
    expect(readFrame(deep, false, { maxBytes: 2_000_000, maxDepth: 64 })).toEqual({ kind: 'bad', reason: 'tooDeep' })
  })

  it('counts depth across objects and arrays alike', () => {
    expect(nestsDeeper('[{"a":[{"b":1}]}]', 4)).toBe(false)
    expect(nestsDeeper('[{"a":[{"b":1}]}]', 3)).toBe(true)
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
