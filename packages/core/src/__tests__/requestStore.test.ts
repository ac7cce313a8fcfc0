import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { idleRequest, type RequestState, requestStore } from '../adapters/requestStore.js'
import { connect } from '../connect.js'
import type { LifelineError } from '../errors.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.runOnlyPendingTimers()
  vi.useRealTimers()
})

interface Outgoing {
  getUser: { id: string }
}
interface Replies {
  getUser: { name: string }
}

/** An open socket on a FakeWebSocket, and a store of its `getUser` requests that records every state. */
async function setup(options: { open?: boolean } = {}) {
  const socket = connect<Record<string, unknown>, Outgoing, Replies>('wss://example.test/requests', {
    WebSocket: FakeWebSocket,
    browserEvents: false,
  })
  const ws = FakeWebSocket.last
  if (options.open !== false) {
    ws.serverOpen()
    await vi.advanceTimersByTimeAsync(0)
  }
  const store = requestStore<Replies['getUser']>(socket, 'getUser')
  const states: RequestState<Replies['getUser']>[] = []
  const stop = store.subscribe(() => states.push(store.getSnapshot()))
  /** The requests written to the link, as `[id, data]`. */
  const asked = () =>
    (ws.messages as Array<{ type?: string; id?: string; data?: unknown }>)
      .filter((m) => m.type === 'getUser')
      .map((m) => [m.id, m.data] as const)
  const reply = (id: string | undefined, data: unknown) => ws.serverSend({ re: id, data })
  return { socket, ws, store, states, stop, asked, reply }
}

/** What a promise rejected with. */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: LifelineError) => error,
  )

describe('requestStore', () => {
  it('starts idle, then pending, then success with the reply data', async () => {
    const { store, states, asked, reply } = await setup()
    expect(store.getSnapshot()).toBe(idleRequest)

    const result = store.send({ id: '42' })
    expect(store.getSnapshot()).toEqual({ status: 'pending', data: undefined, error: null, pending: true })
    expect(asked()).toEqual([]) // sent on the next microtask
    await Promise.resolve()
    const [[id, data] = []] = asked()
    expect(data).toEqual({ id: '42' })
    reply(id, { name: 'ana' })

    expect(await result).toEqual({ name: 'ana' })
    expect(states.map((s) => s.status)).toEqual(['pending', 'success'])
    expect(store.getSnapshot()).toEqual({ status: 'success', data: { name: 'ana' }, error: null, pending: false })
  })

  it('an error reply: status error with the LifelineError; the last data is kept', async () => {
    const { store, asked, reply, ws } = await setup()
    const first = store.send({ id: '1' })
    await Promise.resolve()
    reply(asked()[0]?.[0], { name: 'ana' })
    await first

    const second = store.send({ id: '2' })
    expect(store.getSnapshot()).toMatchObject({ status: 'pending', data: { name: 'ana' } })
    await Promise.resolve()
    ws.serverSend({ re: asked()[1]?.[0], error: { code: 'NOT_FOUND', message: 'no such user' } })
    const error = await rejection(second)

    expect(error).toMatchObject({ code: 'REQUEST_FAILED', cause: { code: 'NOT_FOUND', message: 'no such user' } })
    expect(store.getSnapshot()).toEqual({ status: 'error', data: { name: 'ana' }, error, pending: false })
  })

  it('a new send aborts the one before: it rejects, its late reply changes nothing, the state follows the latest', async () => {
    const { store, states, asked, reply } = await setup()
    const first = store.send({ id: '1' })
    await Promise.resolve()
    const second = store.send({ id: '2' })
    await Promise.resolve()
    const [[firstId] = [], [secondId] = []] = asked()

    expect(await rejection(first)).toMatchObject({ code: 'REQUEST_ABORTED' })
    reply(firstId, { name: 'stale' })
    reply(secondId, { name: 'fresh' })

    expect(await second).toEqual({ name: 'fresh' })
    expect(store.getSnapshot()).toMatchObject({ status: 'success', data: { name: 'fresh' } })
    expect(states.map((s) => s.status)).toEqual(['pending', 'pending', 'success'])
    expect(states.some((s) => s.error !== null)).toBe(false)
  })

  it('sends made and replaced in the same synchronous run never reach the socket', async () => {
    const { socket, store, asked } = await setup()
    const first = store.send({ id: 'replaced' })
    const second = store.send({ id: 'kept' })
    await Promise.resolve()

    expect(asked().map(([, data]) => data)).toEqual([{ id: 'kept' }])
    expect(await rejection(first)).toMatchObject({ code: 'REQUEST_ABORTED' })
    expect(socket.getSnapshot().pending).toBe(1)
    second.catch(() => {})
  })

  it('abort(): the request rejects with REQUEST_ABORTED and its reason, and the state says so; a queued one is never sent', async () => {
    const { socket, store, ws } = await setup({ open: false })
    const result = store.send({ id: '1' })
    await Promise.resolve()
    expect(socket.getSnapshot()).toMatchObject({ queued: 1, pending: 1 })

    store.abort('cancel button')
    const error = await rejection(result)

    expect(error).toMatchObject({ code: 'REQUEST_ABORTED', cause: 'cancel button' })
    expect(store.getSnapshot()).toMatchObject({ status: 'error', error, pending: false })
    expect(socket.getSnapshot()).toMatchObject({ queued: 0, pending: 0 })
    ws.serverOpen()
    await vi.advanceTimersByTimeAsync(0)
    expect(ws.sent).toEqual([])
  })

  it("follows the caller's own signal too", async () => {
    const { store } = await setup()
    const controller = new AbortController()
    const result = store.send({ id: '1' }, { signal: controller.signal })
    await Promise.resolve()
    controller.abort('gone')

    expect(await rejection(result)).toMatchObject({ code: 'REQUEST_ABORTED', cause: 'gone' })
    expect(store.getSnapshot().status).toBe('error')
    const before = new AbortController()
    before.abort('already')
    expect(await rejection(store.send({ id: '2' }, { signal: before.signal }))).toMatchObject({ cause: 'already' })
  })

  it('reset(): aborts the request in flight and returns to idle, without an error', async () => {
    const { socket, store, states } = await setup()
    const result = store.send({ id: '1' })
    await Promise.resolve()

    store.reset()

    expect(await rejection(result)).toMatchObject({ code: 'REQUEST_ABORTED' })
    expect(store.getSnapshot()).toBe(idleRequest)
    expect(states.at(-1)).toBe(idleRequest)
    expect(socket.getSnapshot().pending).toBe(0)
  })

  it('the last subscriber leaving aborts the request in flight; the promise needs no handler', async () => {
    const { socket, store, stop, asked } = await setup()
    const unhandled = vi.fn()
    process.on('unhandledRejection', unhandled)
    try {
      store.send({ id: '1' })
      stop()
      await vi.advanceTimersByTimeAsync(0)

      expect(asked()).toEqual([])
      expect(socket.getSnapshot().pending).toBe(0)
      expect(unhandled).not.toHaveBeenCalled()
    } finally {
      process.off('unhandledRejection', unhandled)
    }
  })

  it('never throws: a payload the codec cannot encode and a disposed socket land in the state', async () => {
    const { socket, store } = await setup()
    const unencodable = store.send({ id: 1n } as unknown as { id: string })
    expect(await rejection(unencodable)).toMatchObject({ code: 'ENCODE_FAILED' })
    expect(store.getSnapshot()).toMatchObject({ status: 'error', error: { code: 'ENCODE_FAILED' } })

    socket.dispose()
    expect(await rejection(store.send({ id: '2' }))).toMatchObject({ code: 'DISPOSED' })
  })
})
