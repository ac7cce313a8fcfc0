import { describe, expect, it, vi } from 'vitest'
import { exceedsBytes, frameBytes, jsonCodec, rawCodec } from '../codec.js'

describe('jsonCodec', () => {
  it('encodes the envelope and leaves out absent data', () => {
    expect(jsonCodec.encode({ type: 'chat', data: { text: 'hi' } })).toBe('{"type":"chat","data":{"text":"hi"}}')
    expect(jsonCodec.encode({ type: 'ping' })).toBe('{"type":"ping"}')
    expect(jsonCodec.encode({ type: 'get', data: 1, id: 'a1' })).toBe('{"type":"get","data":1,"id":"a1"}')
  })

  it('throws for values JSON cannot represent', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(() => jsonCodec.encode({ type: 'x', data: 1n })).toThrow()
    expect(() => jsonCodec.encode({ type: 'x', data: cycle })).toThrow()
  })

  it('decodes text and UTF-8 binary frames', () => {
    expect(jsonCodec.decode('{"type":"a","data":1}')).toEqual({ type: 'a', data: 1 })
    const bytes = new TextEncoder().encode('{"type":"é"}')
    expect(jsonCodec.decode(bytes.buffer as ArrayBuffer)).toEqual({ type: 'é' })
  })
})

describe('rawCodec', () => {
  it('sends strings and binary as they are, and the type when there is no data', () => {
    const bytes = new Uint8Array([1, 2])
    expect(rawCodec.encode({ type: 'x', data: 'hello' })).toBe('hello')
    expect(rawCodec.encode({ type: 'x', data: bytes })).toBe(bytes)
    expect(rawCodec.encode({ type: 'ping' })).toBe('ping')
    expect(() => rawCodec.encode({ type: 'x', data: { a: 1 } })).toThrow(/strings and binary/)
  })

  it('decodes nothing', () => {
    const buffer = new ArrayBuffer(2)
    expect(rawCodec.decode(buffer)).toBe(buffer)
    expect(rawCodec.decode('{"type":"a"}')).toBe('{"type":"a"}')
  })
})

describe('frame sizes', () => {
  it('counts UTF-8 bytes', () => {
    expect(frameBytes('abc')).toBe(3)
    expect(frameBytes('é')).toBe(2)
    expect(frameBytes('€')).toBe(3)
    expect(frameBytes('😀')).toBe(4)
    expect(frameBytes('\ud800x')).toBe(4) // a lone surrogate is written as U+FFFD
    expect(frameBytes(new Uint8Array(7))).toBe(7)
  })

  it('agrees with TextEncoder on mixed text', () => {
    const text = 'aé€😀'.repeat(50)
    expect(frameBytes(text)).toBe(new TextEncoder().encode(text).length)
  })

  it('agrees with TextEncoder at every boundary and on lone surrogates anywhere', () => {
    const units = [0x00, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xffff]
    for (const a of units)
      for (const b of units) {
        const text = `${String.fromCharCode(a)}${String.fromCharCode(b)}`
        expect(frameBytes(text), `${a.toString(16)} ${b.toString(16)}`).toBe(new TextEncoder().encode(text).length)
      }
  })

  it('counts without TextEncoder, as under Jest with jsdom', async () => {
    vi.stubGlobal('TextEncoder', undefined)
    vi.resetModules()
    try {
      const fresh = await import('../codec.js')
      expect(fresh.frameBytes('aé€😀')).toBe(10)
      expect(fresh.exceedsBytes('€'.repeat(10), 29)).toBe(true)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('tells whether a frame exceeds a limit', () => {
    expect(exceedsBytes('€€', 6)).toBe(false)
    expect(exceedsBytes('€€', 5)).toBe(true)
    expect(exceedsBytes('aaaa', 3)).toBe(true)
    expect(exceedsBytes(new ArrayBuffer(4), 4)).toBe(false)
  })
})
