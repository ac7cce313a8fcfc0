import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createEmitter } from '../emitter.js'
import { openLink, setup } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => vi.useRealTimers())

describe('socket.subscribe, as a Set of listeners', () => {
  it('a listener unsubscribed by an earlier one during a notification is not called by it', async () => {
    const { socket } = setup({ heartbeat: false })
    const calls: string[] = []
    const offA = socket.subscribe(() => {
      calls.push('a')
      offB()
    })
    const offB = socket.subscribe(() => calls.push('b'))
    await openLink()

    expect(calls).toEqual(['a'])
    socket.close()
    expect(calls).toEqual(['a', 'a'])
    offA()
    socket.dispose()
  })

  it('one removed by itself or by an earlier listener is not called; one subscribed during a notification is first called by the next', async () => {
    const { socket } = setup({ heartbeat: false })
    const calls: string[] = []
    let offC: () => void = () => {}
    const offA = socket.subscribe(() => {
      calls.push('a')
      offA()
      offC()
      socket.subscribe(() => calls.push('d'))
    })
    socket.subscribe(() => calls.push('b'))
    offC = socket.subscribe(() => calls.push('c'))
    await openLink() // one notification: a, then b; c was removed, d comes next time

    expect(calls).toEqual(['a', 'b'])
    socket.close()
    expect(calls).toEqual(['a', 'b', 'b', 'd'])
    socket.dispose()
  })
})

describe('events', () => {
  it('a handler removed by an earlier one, by its function or with off(type), is not called for that event', () => {
    const events = createEmitter<{ tick: number }>(() => {})
    const calls: string[] = []
    const b = () => calls.push('b')
    events.on('tick', () => {
      calls.push('a')
      events.off('tick', b)
    })
    events.on('tick', b)
    events.on('tick', () => calls.push('c'))
    events.emit('tick', 1)
    expect(calls).toEqual(['a', 'c'])

    calls.length = 0
    events.on('tick', () => {
      calls.push('d')
      events.off('tick')
    })
    events.on('tick', () => calls.push('e'))
    events.emit('tick', 2)
    expect(calls).toEqual(['a', 'c', 'd'])
  })
})
