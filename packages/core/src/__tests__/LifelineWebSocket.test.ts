import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LifelineWebSocket, type LifelineWebSocketOptions } from '../LifelineWebSocket.js'

const reconnect = { initialDelay: 100, jitter: 'none' } as const
const sockets: LifelineWebSocket[] = []

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.socket.dispose()
  vi.useRealTimers()
})

function open(options: LifelineWebSocketOptions = {}, protocols?: string | string[]) {
  const ws = new LifelineWebSocket('wss://example.test/live', protocols, {
    WebSocket: FakeWebSocket,
    browserEvents: false,
    reconnect,
    ...options,
  })
  sockets.push(ws)
  const log: string[] = []
  for (const type of ['open', 'message', 'error', 'close']) ws.addEventListener(type, () => log.push(type))
  return { ws, log, link: () => FakeWebSocket.last }
}

/** Opens the newest fake link and lets the flush run. */
async function serverOpen() {
  FakeWebSocket.last.serverOpen()
  await vi.advanceTimersByTimeAsync(0)
  return FakeWebSocket.last
}

describe('LifelineWebSocket events', () => {
  it('gives CloseEvent fields on an Event where the platform has no CloseEvent', async () => {
    const { ws } = open({ reconnect: false })
    await serverOpen()
    const closes: CloseEvent[] = []
    ws.onclose = (event) => closes.push(event)
    FakeWebSocket.last.serverClose(4000, 'bye', true)
    expect(closes).toHaveLength(1)
    expect(closes[0]).toBeInstanceOf(typeof CloseEvent === 'function' ? CloseEvent : Event)
    expect(closes[0]).toMatchObject({ type: 'close', code: 4000, reason: 'bye', wasClean: true })
  })

  it('reports a throwing on* handler without skipping the listeners after it', async () => {
    const { ws } = open()
    await serverOpen()
    const reported = vi.fn()
    vi.stubGlobal('reportError', reported)
    const calls: string[] = []
    ws.onerror = () => {
      calls.push('onerror')
      throw new Error('handler bug')
    }
    ws.addEventListener('error', () => calls.push('error listener'))
    ws.onclose = () => calls.push('onclose')
    FakeWebSocket.last.serverClose(1006)
    expect(calls).toEqual(['onerror', 'error listener', 'onclose'])
    expect(reported).toHaveBeenCalledWith(expect.objectContaining({ message: 'handler bug' }))
    vi.unstubAllGlobals()
  })

  it('delivers binary frames as Blob by default and as ArrayBuffer when binaryType says so', async () => {
    const { ws } = open()
    const link = await serverOpen()
    const data: unknown[] = []
    ws.onmessage = (event) => data.push(event.data)
    link.serverSend(new Uint8Array([1, 2]).buffer)
    ws.binaryType = 'arraybuffer'
    link.serverSend(new Uint8Array([3]).buffer)
    link.serverSend('text')
    expect(data[0]).toBeInstanceOf(Blob)
    expect(data[1]).toBeInstanceOf(ArrayBuffer)
    expect(data[2]).toBe('text')
  })
})

describe('LifelineWebSocket, as the standard says', () => {
  it('gives on* handlers the socket as this, event.target and event.currentTarget', async () => {
    const { ws } = open() // with listeners of its own, added first
    const seen: Array<[string, unknown, unknown, unknown]> = []
    const record = function (this: unknown, event: Event) {
      seen.push([event.type, this, event.target, event.currentTarget])
    }
    ws.onopen = ws.onmessage = ws.onerror = ws.onclose = record
    const link = await serverOpen()
    link.serverSend('hi')
    link.serverClose(1006)
    expect(seen.map(([type]) => type)).toEqual(['open', 'message', 'error', 'close'])
    for (const [, self, target, currentTarget] of seen) {
      expect(self).toBe(ws)
      expect(target).toBe(ws)
      expect(currentTarget).toBe(ws)
    }
  })

  it('delivers an event given to dispatchEvent to the on* handler too', () => {
    const { ws } = open()
    const data: unknown[] = []
    ws.onmessage = (event) => data.push(event.data)
    ws.dispatchEvent(new MessageEvent('message', { data: 'local' }))
    expect(data).toEqual(['local'])
  })

  it('runs the on* handler before the listeners, whenever it was set; null removes it', () => {
    const { ws } = open()
    const calls: string[] = []
    ws.addEventListener('message', () => calls.push('listener'))
    ws.onmessage = () => calls.push('handler')
    ws.dispatchEvent(new MessageEvent('message'))
    ws.onmessage = () => calls.push('new handler')
    ws.dispatchEvent(new MessageEvent('message'))
    ws.onmessage = null
    expect(ws.onmessage).toBeNull()
    ws.dispatchEvent(new MessageEvent('message'))
    expect(calls).toEqual(['handler', 'listener', 'new handler', 'listener', 'listener'])
  })

  it('takes a value that is not a function as null, as the handler', () => {
    const { ws } = open()
    ws.onmessage = () => {}
    ws.onmessage = 'not a function' as never
    expect(ws.onmessage).toBeNull()
    expect(ws.onopen).toBeNull()
  })

  it('ignores an invalid binaryType: the value stays as it was', async () => {
    const { ws } = open()
    const link = await serverOpen()
    const data: unknown[] = []
    ws.onmessage = (event) => data.push(event.data)
    ws.binaryType = 'text' as BinaryType
    expect(ws.binaryType).toBe('blob')
    ws.binaryType = 'arraybuffer'
    ws.binaryType = 'nodebuffer' as BinaryType
    expect(ws.binaryType).toBe('arraybuffer')
    link.serverSend(new Uint8Array([1]).buffer)
    expect(data[0]).toBeInstanceOf(ArrayBuffer)
  })

  it('sends a value that is neither text nor binary as a string, and throws a TypeError for a Symbol', async () => {
    const { ws } = open()
    ws.send(123 as never)
    expect(ws.bufferedAmount).toBe(3) // queued as "123"
    const link = await serverOpen()
    ws.send(null as never)
    ws.send({ toString: () => 'object' } as never)
    ws.send(undefined as never)
    expect(() => ws.send(Symbol('no') as never)).toThrow(TypeError)
    expect(link.sent).toEqual(['123', 'null', 'object', 'undefined'])
  })
})

describe('LifelineWebSocket, reconnecting', () => {
  it('goes CONNECTING on a drop, fires nothing for failed retries, and opens again', async () => {
    const { ws, log } = open()
    await serverOpen()
    FakeWebSocket.last.serverClose(1006)
    expect(ws.readyState).toBe(ws.CONNECTING)
    await vi.advanceTimersByTimeAsync(100)
    FakeWebSocket.last.serverFail() // the first retry fails
    await vi.advanceTimersByTimeAsync(200)
    expect(log).toEqual(['open', 'error', 'close'])
    await serverOpen()
    expect(log).toEqual(['open', 'error', 'close', 'open'])
    expect(ws.readyState).toBe(ws.OPEN)
  })

  it('reports a heartbeat timeout as error + close 1006 and reconnects', async () => {
    const { ws, log } = open({ heartbeat: { interval: 1000, timeout: 500, ping: () => 'ping' } })
    const link = await serverOpen()
    await vi.advanceTimersByTimeAsync(1000)
    expect(link.sent).toEqual(['ping'])
    await vi.advanceTimersByTimeAsync(501)
    expect(log).toEqual(['open', 'error', 'close'])
    expect(ws.readyState).toBe(ws.CONNECTING)
    await vi.advanceTimersByTimeAsync(100)
    await serverOpen()
    expect(log.at(-1)).toBe('open')
  })

  it('counts queued bytes in bufferedAmount until they are flushed, and forgets the ones dropped', async () => {
    const { ws } = open({ queue: { maxMessages: 2 } })
    ws.send('héllo') // 6 bytes in UTF-8
    ws.send(new Uint8Array(10))
    expect(ws.bufferedAmount).toBe(16)
    ws.send('abc') // the oldest goes
    expect(ws.bufferedAmount).toBe(13)
    const link = await serverOpen()
    expect(link.sent).toHaveLength(2)
    expect(ws.bufferedAmount).toBe(0)
  })

  it('sends frames as they were at send time', async () => {
    const { ws } = open()
    const bytes = new Uint8Array([1, 2, 3])
    ws.send(bytes)
    bytes[0] = 9
    const link = await serverOpen()
    expect([...(link.sent[0] as Uint8Array)]).toEqual([1, 2, 3])
  })

  it('refuses a Blob with ENCODE_FAILED', async () => {
    const { ws } = open()
    await serverOpen()
    expect(() => ws.send(new Blob(['x']))).toThrow(expect.objectContaining({ code: 'ENCODE_FAILED' }))
  })

  it('ends silently when closed while waiting to reconnect: the drop was reported', async () => {
    const { ws, log } = open()
    await serverOpen()
    FakeWebSocket.last.serverClose(1012, 'restart', true)
    ws.close()
    expect(ws.readyState).toBe(ws.CLOSED)
    await vi.advanceTimersByTimeAsync(1000)
    expect(log).toEqual(['open', 'close'])
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('is CLOSING after close() and CLOSED with the close event a microtask later', async () => {
    const { ws, log } = open()
    await serverOpen()
    ws.close(4000, 'done')
    expect(ws.readyState).toBe(ws.CLOSING)
    expect(log).toEqual(['open'])
    expect(FakeWebSocket.last.closedWith).toEqual({ code: 4000, reason: 'done' })
    const close = await new Promise<CloseEvent>((resolve) => ws.addEventListener('close', resolve as never))
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(close).toMatchObject({ code: 4000, reason: 'done', wasClean: true })
  })

  it('throws for a bad close code and still works afterwards', async () => {
    const { ws, log } = open()
    await serverOpen()
    expect(() => ws.close(1001)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }))
    expect(ws.readyState).toBe(ws.OPEN)
    FakeWebSocket.last.serverClose(1012, 'restart', true)
    expect(log).toEqual(['open', 'close'])
    expect(ws.readyState).toBe(ws.CONNECTING)
  })

  it('counts sends after the end in bufferedAmount, as the standard says, and sends nothing', async () => {
    const { ws } = open()
    const link = await serverOpen()
    ws.close()
    ws.send('late')
    expect(ws.bufferedAmount).toBe(4)
    expect(link.sent).toEqual([])
  })

  it('reports the subprotocol the server chose, and keeps it while reconnecting', async () => {
    const { ws } = open({}, ['a', 'b'])
    expect(FakeWebSocket.last.protocols).toEqual(['a', 'b'])
    Object.assign(FakeWebSocket.last, { protocol: 'b', extensions: 'permessage-deflate' })
    await serverOpen()
    expect([ws.protocol, ws.extensions]).toEqual(['b', 'permessage-deflate'])
    FakeWebSocket.last.serverClose(1006)
    expect(ws.protocol).toBe('b')
  })
})

describe('LifelineWebSocket with { reconnect: false }', () => {
  it('fails the connection on close() before open: error, then close 1006', async () => {
    const { ws, log } = open({ reconnect: false })
    ws.close()
    expect(ws.readyState).toBe(ws.CLOSING)
    await vi.advanceTimersByTimeAsync(0)
    expect(log).toEqual(['error', 'close'])
    expect(ws.readyState).toBe(ws.CLOSED)
  })

  it('throws InvalidStateError for a send before open and sends normally once open', async () => {
    const { ws } = open({ reconnect: false })
    expect(() => ws.send('x')).toThrow(expect.objectContaining({ name: 'InvalidStateError' }))
    const link = await serverOpen()
    ws.send('y')
    expect(link.sent).toEqual(['y'])
  })

  it('ends for good on the first drop', async () => {
    const { ws, log } = open({ reconnect: false })
    await serverOpen()
    FakeWebSocket.last.serverClose(1006)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(log).toEqual(['open', 'error', 'close'])
    expect(ws.readyState).toBe(ws.CLOSED)
    expect(FakeWebSocket.instances).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})
