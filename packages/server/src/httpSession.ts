import { EventEmitter } from 'node:events'
import type { ServerResponse } from 'node:http'
import { ABNORMAL } from '@lifeline/core/protocol'

/** `WebSocket.readyState` values, as `ws` and the standard number them. */
const OPEN = 1
const CLOSING = 2
const CLOSED = 3

/** How many uplink POSTs may wait ahead of a missing one (retried, or forwarded by another instance). */
export const REORDER_WINDOW = 8

/** What the uplink carries in one numbered POST: frames, or the client's close. */
export type Uplink = { frames: string[] } | { close: { code: number; reason: string } }

/** The answer to an uplink POST, once its frames have been read (`null`: nobody waits for it). */
export type Answer = ((status: number) => void) | null

/** An SSE event: each line of `data` on its own `data:` line, so a frame may hold newlines. */
export const sseEvent = (data: string, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${data.replace(/\n/g, '\ndata: ')}\n\n`

/**
 * One client of the HTTP fallback, as its hub sees it: the parts of a `ws` WebSocket a peer uses
 * (`send`, `close`, `terminate`, `ping`, `pause`/`resume`, `bufferedAmount`, the events `message`,
 * `pong` and `close`), over a downlink of server-sent events (the GET that opened it) and uplink
 * POSTs, numbered from 0 and read in order whatever order they come in.
 */
export class HttpSession extends EventEmitter {
  /** How a peer is connected, counted by `hub.stats().transports`. */
  readonly transport = 'http'
  readyState = OPEN
  /** The next uplink POST to read. */
  #next = 0
  /** POSTs that came ahead of `#next`, by number. */
  readonly #ahead = new Map<number, [Uplink, Answer]>()
  /** Frames of the POST being read, and its answer. */
  #reading: string[] = []
  #answer: Answer = null
  #paused = false
  readonly #res: ServerResponse

  constructor(
    readonly id: string,
    readonly key: string,
    res: ServerResponse,
  ) {
    super()
    this.#res = res
    res.on('close', () => this.#closed(ABNORMAL, ''))
    res.on('error', () => {})
  }

  /** Bytes written to the downlink that the client has not taken yet. */
  get bufferedAmount(): number {
    return this.#res.writableLength
  }

  /** The downlink, corked by the peer's write batch around the frames of one turn. */
  get _socket(): ServerResponse {
    return this.#res
  }

  send(frame: string | Buffer): void {
    if (this.readyState === OPEN) this.#res.write(sseEvent(String(frame)))
  }

  /** Asks the client to answer with a POST (its `pong`): an empty uplink, as WebSocket answers a ping frame. */
  ping(): void {
    if (this.readyState === OPEN) this.#res.write('event: ping\ndata:\n\n')
  }

  close(code = 1005, reason = ''): void {
    if (this.readyState !== OPEN) return
    this.readyState = CLOSING
    this.#res.end(sseEvent(JSON.stringify({ code, reason }), 'close'))
    this.#closed(code, reason)
  }

  terminate(): void {
    this.#res.destroy()
    this.#closed(ABNORMAL, '')
  }

  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
    this.#read()
  }

  /**
   * Takes uplink POST number `seq`: reads it now if it is the next, keeps it if it came early
   * (within {@link REORDER_WINDOW}), ignores a repeat. Returns the status to answer at once, or
   * `null` when `answer` will be called once its frames are read.
   */
  receive(seq: number, uplink: Uplink, answer: Answer): number | null {
    if (this.readyState !== OPEN) return 410
    this.emit('pong')
    if (seq < this.#next || this.#ahead.has(seq)) return 204
    if (seq >= this.#next + REORDER_WINDOW) {
      // POSTs lost on the way (never a silent loss): the link ends, and the client comes back.
      this.close(1011, 'uplink out of order')
      return 409
    }
    this.#ahead.set(seq, [uplink, answer])
    this.#read()
    return null
  }

  /** Reads uplink frames in order until a gap, a pause or the end. */
  #read() {
    while (!this.#paused && this.readyState === OPEN) {
      const frame = this.#reading.shift()
      if (frame !== undefined) {
        this.emit('message', Buffer.from(frame), false)
        continue
      }
      this.#answer?.(204)
      this.#answer = null
      const up = this.#ahead.get(this.#next)
      if (!up) return
      this.#ahead.delete(this.#next++)
      const [uplink, answer] = up
      this.#answer = answer
      if ('close' in uplink) {
        this.#answer?.(204)
        this.#answer = null
        return this.close(uplink.close.code, uplink.close.reason)
      }
      this.#reading = uplink.frames
    }
  }

  #closed(code: number, reason: string) {
    if (this.readyState === CLOSED) return
    this.readyState = CLOSED
    this.#answer?.(410)
    for (const [, answer] of this.#ahead.values()) answer?.(410)
    this.#ahead.clear()
    this.#reading = []
    this.#answer = null
    // After the call that closed it returns, as `ws` reports a close.
    process.nextTick(() => {
      this.emit('close', code, Buffer.from(reason))
      this.removeAllListeners()
    })
  }
}
