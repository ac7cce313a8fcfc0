import { after } from './clock.js'
import type { Frame } from './codec.js'
import type { WebSocketConstructor, WebSocketLike } from './environment.js'
import { ABNORMAL } from './protocol/closeCodes.js'
import { createWriteBatch } from './protocol/writeBatch.js'
import type { CloseInfo } from './types.js'

/** What a link reports to its socket. */
export interface LinkHandlers {
  /** The handshake completed. */
  open(): void
  /** A frame arrived. */
  message(frame: string | ArrayBuffer): void
  /**
   * The link or attempt ended: how the WebSocket reported its close, or `null` when it failed
   * before opening without a close event.
   */
  end(close: CloseInfo | null): void
}

/**
 * The socket's one WebSocket, and the generation that ties callbacks to it: every attempt and
 * every abandoned link bumps it, and a callback of an older generation does nothing.
 */
export interface Link {
  /** The WebSocket of the current generation, if one was created. */
  readonly ws: WebSocketLike | null
  /** The current generation. */
  readonly generation: number
  /** Starts a new generation (an attempt); returns it. */
  next(): number
  /**
   * Writes a frame to the WebSocket, which must be open. On Node's `ws` the frames written in
   * one turn of the event loop leave together, in one system call (see {@link createLink}).
   */
  send(frame: Frame): void
  /** Creates the WebSocket of the current generation. */
  open(WebSocket: WebSocketConstructor, url: string, protocols: string | string[] | undefined): void
  /**
   * Abandons the WebSocket, bumping the generation: with `close`, a polite close handshake,
   * cut after a short grace where the implementation can (`terminate()`), so a black-holed
   * link cannot keep a process alive; without, it is cut at once.
   */
  drop(close?: CloseInfo): void
}

/** How long a polite close may wait for the handshake before the link is cut. */
const CLOSE_GRACE = 1000

const noop = () => {}

function detach(ws: WebSocketLike): void {
  // Never null: Node's `ws` throws an 'error' event that has no listener.
  ws.onopen = ws.onmessage = ws.onerror = ws.onclose = noop
}

/**
 * Writes are batched per turn where the WebSocket is Node's `ws` (see `createWriteBatch` in the
 * protocol module: a `writev` per 16 frames instead of one system call each), and a link's batch
 * is let go before it is closed or cut. Elsewhere (browsers, runtimes' own WebSockets) frames go
 * straight to `send`, which batches on its own.
 */
export function createLink(handlers: LinkHandlers): Link {
  let ws: WebSocketLike | null = null
  let generation = 0
  const batch = createWriteBatch()
  return {
    get ws() {
      return ws
    },
    get generation() {
      return generation
    },
    next: () => ++generation,
    send(frame) {
      batch.send(ws as WebSocketLike, frame)
    },
    open(WebSocket, url, protocols) {
      const mine = generation
      const socket = new WebSocket(url, protocols)
      const current = () => mine === generation
      let opened = false
      ws = socket
      socket.binaryType = 'arraybuffer'
      socket.onopen = () => {
        opened = true
        if (current()) handlers.open()
      }
      socket.onmessage = (event: { data: string | ArrayBuffer }) => {
        if (current()) handlers.message(event.data)
      }
      // Node 22's built-in WebSocket fires `error` and never `close` on a refused connection.
      // Elsewhere a `close` follows, and after open it carries the outcome.
      socket.onerror = () => {
        if (!opened && current()) handlers.end(null)
      }
      socket.onclose = (event: CloseInfo) => {
        // Deno reports an abrupt drop as code 0.
        if (current()) handlers.end({ code: event.code || ABNORMAL, reason: event.reason, wasClean: event.wasClean })
      }
    },
    drop(close) {
      generation++
      const socket = ws
      if (!socket) return
      ws = null
      batch.flush()
      detach(socket)
      try {
        if (!close) return socket.terminate ? socket.terminate() : socket.close()
        socket.close(close.code, close.reason)
        if (socket.terminate && socket.readyState !== 3) {
          const cut = after(() => socket.terminate?.(), CLOSE_GRACE)
          socket.onclose = () => clearTimeout(cut)
        }
      } catch {
        // Some implementations throw when closing a socket that is closing already.
        socket.terminate?.()
      }
    },
  }
}
