// A sample of docs/testing.md, run by `npm test` (the docs project): channels against the test
// server, under fake timers.
// #region channels-test
import { connect } from '@lifeline/core'
import { type ChannelGap, channel } from '@lifeline/core/channels'
import { createTestServer, type TestServer } from '@lifeline/testing'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'

interface ChatLine {
  from: string
  text: string
}

let server: TestServer
beforeEach(() => {
  vi.useFakeTimers()
  server = createTestServer({ history: { size: 100 } }) // 1000 by default
})
afterEach(() => {
  server.stop()
  vi.useRealTimers()
})

async function joinRoom() {
  const socket = connect(server.url, {
    WebSocket: server.WebSocket,
    reconnect: { initialDelay: 100, jitter: 'none' },
  })
  const room = channel<ChatLine>(socket, 'room:42')
  const lines: string[] = []
  const gaps: ChannelGap[] = []
  room.on('message', ({ text }) => lines.push(text))
  room.on('gap', (gap) => gaps.push(gap))
  await server.waitForConnection()
  return { socket, room, lines, gaps }
}

it('gets what was published while its link was down, once each, in order', async () => {
  const { socket, room, lines, gaps } = await joinRoom()
  server.publish('room:42', { from: 'Ada', text: 'one' }) // -> { epoch: 'e1', offset: 1 }

  await server.drop() // a crash: the client reconnects after 100 ms
  server.publish('room:42', { from: 'Ada', text: 'two' })
  server.publish('room:42', { from: 'Ada', text: 'three' })
  await vi.advanceTimersByTimeAsync(100)

  expect(lines).toEqual(['one', 'two', 'three'])
  expect(gaps).toEqual([])
  expect(room.getSnapshot()).toMatchObject({ status: 'joined', recovered: true, offset: 3 })
  socket.dispose()
})

it('says what it missed when the history no longer reaches back', async () => {
  const { socket, room, lines, gaps } = await joinRoom()
  await server.drop()
  server.publish('room:42', { from: 'Ada', text: 'lost' })
  server.trimHistory('room:42') // or resetChannel('room:42'): an 'epoch' gap
  await vi.advanceTimersByTimeAsync(100)

  expect(gaps).toEqual([{ reason: 'trimmed', from: 1, to: 1 }])
  expect(room.getSnapshot().recovered).toBe(false)
  expect(await room.publish({ from: 'me', text: 'back' })).toEqual({ epoch: 'e1', offset: 2 })
  expect(lines).toEqual(['back']) // a publisher gets its own publication too
  socket.dispose()
})

it('fails a join the server refuses', async () => {
  server.refuseJoins((name) => name.startsWith('room:'))
  const { socket, room } = await joinRoom()
  await vi.advanceTimersByTimeAsync(0)
  expect(room.getSnapshot()).toMatchObject({ status: 'failed', error: { code: 'JOIN_REFUSED' } })
  socket.dispose()
})
// #endregion
