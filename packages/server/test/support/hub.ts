// What the server's integration tests share: real `ws` servers on 127.0.0.1, port 0, with a hub
// attached; real Lifeline clients (`@lifeline/core` over `ws`); raw `ws` clients for frames the
// core would never send; and a cleanup list run after each test.
import type { AddressInfo } from 'node:net'
import { type ConnectOptions, connect, type MessageMap, type Socket } from '@lifeline/core'
import { type AttachOptions, attach, type Hub, type Peer, type MessageMap as ServerMessageMap } from '@lifeline/server'
import { afterEach } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'

/** Gives up on a wait that should have finished long before the test timeout, with a clear message. */
const WAIT_LIMIT = 5000

/** Reconnects within milliseconds, without jitter. */
export const FAST_RECONNECT = { initialDelay: 10, maxDelay: 50, jitter: 'none' } as const

const cleanups: Array<() => unknown> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Runs `cleanup` after the current test, last registered first. */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup)
}

/** A `ws` server on a free port of 127.0.0.1 with a hub attached; closed after the test. */
export async function startHub<
  In extends ServerMessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
  ClientReplies = {},
  Data = Record<string, unknown>,
>(options?: AttachOptions<Data>, serverOptions: { maxPayload?: number } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, ...serverOptions })
  await new Promise((resolve) => wss.once('listening', resolve))
  const hub = attach<In, Out, Replies, ClientReplies, Data>(wss, options)
  onCleanup(async () => {
    await hub.close()
    for (const ws of wss.clients) ws.terminate()
    await new Promise((resolve) => wss.close(resolve))
  })
  const { port } = wss.address() as AddressInfo
  return { wss, hub, url: `ws://127.0.0.1:${port}/live` }
}

/** A Lifeline client over `ws`, fast reconnects; disposed after the test. */
export function openClient<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
>(url: string | (() => string), options: Omit<ConnectOptions, 'WebSocket'> = {}): Socket<In, Out, Replies> {
  const socket = connect<In, Out, Replies>(url, { WebSocket, reconnect: FAST_RECONNECT, ...options })
  onCleanup(() => socket.dispose())
  return socket
}

/**
 * A plain `ws` client, open, and past the hub's `$accept` (its first frame, unless the hub
 * authenticates: `accepted: false` returns at open); terminated after the test.
 */
export async function rawClient(
  url: string,
  options?: WebSocket.ClientOptions,
  { accepted = true } = {},
): Promise<WebSocket> {
  const ws = new WebSocket(url, options)
  onCleanup(() => ws.terminate())
  // Listening from the start: the accept may come in the same read as the handshake's end.
  const accept = accepted ? nextFrame(ws) : null
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  if (accept) {
    const first = JSON.parse(await accept)
    if (first.type !== '$accept') throw new Error(`the hub's first frame is not $accept: ${JSON.stringify(first)}`)
  }
  return ws
}

// biome-ignore lint/suspicious/noExplicitAny: accepts a Socket, Hub or Peer of any message maps
type Listenable = { on(type: string, listener: (...args: any[]) => void): () => void }

/** The arguments of the next `type` event (the first one); rejects after `limit` ms. */
export function next<T = unknown>(target: Listenable, type: string, limit = WAIT_LIMIT): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`no "${type}" event within ${limit} ms`))
    }, limit)
    const off = target.on(type, (payload: T) => {
      clearTimeout(timer)
      off()
      resolve(payload)
    })
  })
}

/** The next peer to connect to `hub`. */
export function nextPeer<In, Out, Replies, ClientReplies>(
  hub: Hub<In, Out, Replies, ClientReplies>,
): Promise<Peer<In, Out, Replies, ClientReplies>> {
  return next(hub as Listenable, 'connection')
}

/** The next frame a raw client receives, as text. */
export function nextFrame(ws: WebSocket, limit = WAIT_LIMIT): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no frame within ${limit} ms`)), limit)
    ws.once('message', (raw) => {
      clearTimeout(timer)
      resolve(String(raw))
    })
  })
}

/** Resolves once `condition()` holds, checked after every turn of the event loop; rejects after `limit` ms. */
export async function until(condition: () => boolean, what: string, limit = WAIT_LIMIT): Promise<void> {
  const deadline = Date.now() + limit
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** A promise and the functions that settle it: a handler that answers when the test says so. */
export function gate<T = void>() {
  let open!: (value: T) => void
  let fail!: (error: unknown) => void
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve
    fail = reject
  })
  return { promise, open, fail }
}
