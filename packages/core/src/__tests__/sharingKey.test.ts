import { jsonCodec } from '@lifeline/core'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { describe, expect, it } from 'vitest'
import { sharingKey } from '../adapters/sharingKey.js'

const URL = 'wss://example.test/key'

describe('sharingKey', () => {
  it('is the same for options with the same contents, whatever the key order', () => {
    const onOpen = () => {}
    const a = { WebSocket: FakeWebSocket, heartbeat: { interval: 5, timeout: 2 }, protocols: ['v1'], onOpen }
    const b = { onOpen, protocols: ['v1'], heartbeat: { timeout: 2, interval: 5 }, WebSocket: FakeWebSocket }
    expect(sharingKey(URL, a)).toBe(sharingKey(URL, b))
    expect(sharingKey(URL, {})).toBe(sharingKey(URL, undefined))
    expect(sharingKey(URL, { heartbeat: undefined })).toBe(sharingKey(URL, {}))
    expect(sharingKey(new globalThis.URL(URL), {})).toBe(sharingKey(URL, {}))
  })

  it('differs when a value differs', () => {
    const base = sharingKey(URL, { heartbeat: { interval: 5 } })
    expect(sharingKey(URL, { heartbeat: { interval: 6 } })).not.toBe(base)
    expect(sharingKey(URL, { heartbeat: true })).not.toBe(base)
    expect(sharingKey(`${URL}2`, { heartbeat: { interval: 5 } })).not.toBe(base)
    expect(sharingKey(URL, { protocols: 'a,b' })).not.toBe(sharingKey(URL, { protocols: ['a', 'b'] }))
    expect(sharingKey(URL, { connectTimeout: 1 })).not.toBe(sharingKey(URL, { connectTimeout: '1' as never }))
  })

  it('compares functions and constructors by identity', () => {
    const url = () => URL
    expect(sharingKey(url, {})).toBe(sharingKey(url, {}))
    expect(sharingKey(() => URL, {})).not.toBe(sharingKey(() => URL, {}))
    expect(sharingKey(URL, { onOpen: () => {} })).not.toBe(sharingKey(URL, { onOpen: () => {} }))
    class Other extends FakeWebSocket {}
    expect(sharingKey(URL, { WebSocket: FakeWebSocket })).not.toBe(sharingKey(URL, { WebSocket: Other }))
    expect(sharingKey(URL, { codec: jsonCodec })).toBe(sharingKey(URL, { codec: { ...jsonCodec } }))
  })

  it('compares objects that are not plain data by identity, and survives cycles', () => {
    const target = new EventTarget()
    expect(sharingKey(URL, { browserEvents: target })).toBe(sharingKey(URL, { browserEvents: target }))
    expect(sharingKey(URL, { browserEvents: target })).not.toBe(sharingKey(URL, { browserEvents: new EventTarget() }))
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(sharingKey(URL, cyclic)).toBe(sharingKey(URL, cyclic))
  })
})
