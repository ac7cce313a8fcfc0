// A minimal raw `ws` client of the channels protocol for the tests: it writes `$join`, `$leave`
// and `$publish` frames by hand and keeps every frame it receives, so a test can check exactly
// what arrived, in which order, and cut the link at a chosen frame.
import WebSocket from 'ws'
import { onCleanup } from './hub.js'

/** Gives up on a wait that should have finished long before the test timeout, with a clear message. */
const WAIT_LIMIT = 5000

/** A frame as received, parsed. */
export type Frame = Record<string, unknown>

/** A publication frame. */
export interface Publication {
  ch: string
  e: string
  o: number
  data?: unknown
}

export const isPublication = (frame: Frame): frame is Frame & Publication => typeof frame.ch === 'string'

let ids = 0

export interface ChannelClient {
  readonly ws: WebSocket
  /** Every frame received so far, in order. */
  readonly frames: Frame[]
  /** The publications received so far, in order. */
  publications(): Publication[]
  /** Writes a frame (an object as JSON, or text as it is). */
  send(frame: object | string): void
  /** Writes a `$join` request; resolves with its reply. */
  join(channel: unknown, since?: unknown): Promise<Frame>
  /** Writes a `$publish` request (with `id` when given); resolves with its reply. */
  publish(channel: unknown, data: unknown, id?: string): Promise<Frame>
  /** Writes a request of any type; resolves with its reply. */
  request(type: string, data: unknown, id?: string): Promise<Frame>
  /** The first frame received (so far or later) that matches. */
  waitFor(match: (frame: Frame) => boolean, what: string): Promise<Frame>
  /** Resolves once `count` frames have been received. */
  received(count: number): Promise<void>
  /** Resolves once the connection has closed. */
  closed(): Promise<void>
  /** Terminates the connection now: no frame after this one is kept, even one already read. */
  cut(): void
}

/** Opens a raw client to `url`; `onFrame` runs on each frame as it arrives (before waiters). Terminated after the test. */
export async function channelClient(url: string, onFrame?: (frame: Frame, client: ChannelClient) => void) {
  const ws = new WebSocket(url)
  onCleanup(() => ws.terminate())
  const frames: Frame[] = []
  const waiters = new Set<() => void>()
  let isClosed = false
  ws.on('close', () => {
    isClosed = true
    for (const check of [...waiters]) check()
  })

  function wait(done: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done()) {
          finish()
          resolve()
        } else if (isClosed) {
          finish()
          reject(new Error(`the connection closed before ${what}`))
        }
      }
      const finish = () => {
        clearTimeout(timer)
        waiters.delete(check)
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`no ${what} within ${WAIT_LIMIT} ms; frames: ${JSON.stringify(frames)}`))
      }, WAIT_LIMIT)
      waiters.add(check)
      check()
    })
  }

  const client: ChannelClient = {
    ws,
    frames,
    publications: () => frames.filter(isPublication),
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    request(type, data, id = `t${++ids}`) {
      client.send({ type, id, data })
      return client.waitFor((frame) => frame.re === id, `the reply to ${type} ${id}`)
    },
    join: (channel, since) => client.request('$join', since === undefined ? { channel } : { channel, since }),
    publish: (channel, data, id) => client.request('$publish', { channel, data }, id),
    async waitFor(match, what) {
      let found: Frame | undefined
      await wait(() => {
        found = frames.find(match)
        return found !== undefined
      }, what)
      return found as Frame
    },
    received: (count) => wait(() => frames.length >= count, `${count} frames`),
    cut() {
      isClosed = true
      ws.terminate()
      for (const check of [...waiters]) check()
    },
    closed: () => (isClosed ? Promise.resolve() : new Promise((resolve) => ws.once('close', () => resolve()))),
  }

  ws.on('message', (raw) => {
    if (isClosed) return
    const frame = JSON.parse(String(raw)) as Frame
    // The hub's accept opens every connection: the handshake, not a frame the tests look at.
    if (frame.type === '$accept') return
    frames.push(frame)
    onFrame?.(frame, client)
    for (const check of [...waiters]) check()
  })
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return client
}
