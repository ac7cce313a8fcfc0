import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FakeWebSocket } from './fakeWebSocket.js'
import { openLink, setup } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('connect', () => {
  it('opens, sends and receives typed messages', async () => {
    const { socket, names } = setup<{ chat: { text: string } }, { chat: { text: string } }>()
    expect(socket.getSnapshot().status).toBe('connecting')
    const ws = await openLink()
    expect(socket.getSnapshot().status).toBe('open')
    expect(socket.send('chat', { text: 'hi' })).toBe('sent')
    expect(ws.messages).toEqual([{ type: 'chat', data: { text: 'hi' } }])
    const got = vi.fn()
    socket.on('chat', got)
    ws.serverSend({ type: 'chat', data: { text: 'yo' } })
    expect(got).toHaveBeenCalledWith({ text: 'yo' })
    expect(names()).toEqual(['open'])
    socket.dispose()
    expect(vi.getTimerCount()).toBe(0)
  })
})
