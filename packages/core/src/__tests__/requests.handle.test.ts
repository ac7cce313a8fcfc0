import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LifelineError } from '../errors.js'
import type { ConnectOptions } from '../options.js'
import { openLink, setup } from './helpers.js'

/** Rejections nobody handled, as the process reports them. */
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)

beforeEach(() => {
  // Real `setImmediate`, so that the process gets its turn to report unhandled rejections.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] })
  FakeWebSocket.reset()
  unhandled.length = 0
  process.on('unhandledRejection', onUnhandled)
})
afterEach(() => {
  process.off('unhandledRejection', onUnhandled)
  vi.useRealTimers()
})

/** Lets pending promise callbacks run, and the process report what was left unhandled. */
const settled = async () => {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve))
}

/** An open socket with `handler` for the server's `ask` requests, and the errors it emits. */
async function answering(handler: () => unknown, options: ConnectOptions = {}) {
  const { socket } = setup({ heartbeat: false, ...options })
  const errors: LifelineError[] = []
  socket.on('error', (error) => errors.push(error))
  socket.handle('ask', handler)
  const ws = await openLink()
  return { socket, ws, errors }
}

describe('socket.handle: what the handler throws', () => {
  it('an object with no prototype still gets an error reply, and nothing is left unhandled', async () => {
    const { socket, ws } = await answering(() => {
      throw Object.create(null)
    })
    ws.serverSend({ type: 'ask', id: 's1' })
    await settled()

    expect(ws.messages).toEqual([{ re: 's1', error: { message: 'request failed' } }])
    expect(unhandled).toEqual([])
    socket.dispose()
  })

  it('an object with no prototype gives its message and code', async () => {
    const { socket, ws } = await answering(() => {
      throw Object.assign(Object.create(null), { code: 'NOPE', message: 'no prototype' })
    })
    ws.serverSend({ type: 'ask', id: 's1' })
    await settled()

    expect(ws.messages).toEqual([{ re: 's1', error: { code: 'NOPE', message: 'no prototype' } }])
    socket.dispose()
  })

  it('an error whose message getter throws still gets an error reply with its code', async () => {
    const { socket, ws } = await answering(async () => {
      const error = Object.assign(new Error(), { code: 'BROKEN' })
      Object.defineProperty(error, 'message', {
        get() {
          throw new Error('getter')
        },
      })
      throw error
    })
    ws.serverSend({ type: 'ask', id: 's1' })
    await settled()

    expect(ws.messages).toEqual([{ re: 's1', error: { code: 'BROKEN', message: 'request failed' } }])
    expect(unhandled).toEqual([])
    socket.dispose()
  })

  it('null and undefined are sent as their names', async () => {
    const thrown = [null, undefined]
    const { socket, ws } = await answering(() => {
      throw thrown.shift()
    })
    ws.serverSend({ type: 'ask', id: 's1' })
    ws.serverSend({ type: 'ask', id: 's2' })
    await settled()

    expect(ws.messages).toEqual([
      { re: 's1', error: { message: 'null' } },
      { re: 's2', error: { message: 'undefined' } },
    ])
    socket.dispose()
  })
})

describe('socket.handle: a reply that cannot go out', () => {
  it("into a full queue with overflow 'error' while the link is down: an error event QUEUE_FULL, never a rejection", async () => {
    let answer: (value: string) => void = () => {}
    const { socket, ws, errors } = await answering(() => new Promise((resolve) => (answer = resolve)), {
      queue: { maxMessages: 1, overflow: 'error' },
      reconnect: { initialDelay: 60_000, jitter: 'none' },
    })
    ws.serverSend({ type: 'ask', id: 's1' })
    ws.serverClose(1006)
    expect(socket.getSnapshot().status).toBe('reconnecting')
    expect(socket.send('fill', 1)).toBe('queued')
    errors.length = 0

    answer('late')
    await settled()

    expect(errors.map(({ code, message }) => ({ code, message }))).toEqual([
      { code: 'QUEUE_FULL', message: 'reply to s1 not sent: queue full' },
    ])
    expect(unhandled).toEqual([])
    expect(socket.getSnapshot()).toMatchObject({ queued: 1, lastError: errors[0] })
    socket.dispose()
  })

  it('a codec that cannot encode even the error reply: ENCODE_FAILED twice, never a rejection', async () => {
    const { socket, ws, errors } = await answering(() => 'answer', {
      codec: {
        encode(message) {
          if ('re' in message) throw new Error('no replies')
          return JSON.stringify(message)
        },
        decode: (frame) => JSON.parse(String(frame)),
      },
    })
    ws.serverSend({ type: 'ask', id: 's1' })
    await settled()

    expect(errors.map(({ code }) => code)).toEqual(['ENCODE_FAILED', 'ENCODE_FAILED'])
    expect(errors[1]?.message).toMatch(/^reply to s1 not sent: /)
    expect(ws.sent).toEqual([])
    expect(unhandled).toEqual([])
    socket.dispose()
  })
})
