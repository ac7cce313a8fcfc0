import { LifelineError } from '@lifeline/core'
import { listen } from './listen.js'
import type { AnySocket } from './types.js'

const EMPTY: readonly never[] = Object.freeze([])

/**
 * The last `limit` payloads of one event type, oldest first, as an external store: each event
 * makes a new array at once, so a burst delivered in one tick loses nothing to a framework's
 * batching. It listens to the socket only while it has subscribers (from the first to the last).
 */
export interface MessageLog<T = unknown> {
  /** The socket whose messages it keeps. */
  readonly socket: AnySocket
  /** The message type it keeps. */
  readonly type: string
  /** How many messages it keeps at most, the newest. */
  readonly limit: number
  /** Calls `listener` after every new message; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  /** The messages kept, oldest first; a new array after every message. */
  getSnapshot(): readonly T[]
}

/**
 * A {@link MessageLog} of `type` events of `socket`, keeping the last `limit`: what
 * `useMessages` and `useLastMessage` are made of in both adapters.
 *
 * @param limit - a whole number >= 1, or `Infinity`.
 * @throws `INVALID_OPTIONS` for any other `limit`.
 * @example
 * ```ts
 * const log = messageLog(socket, 'chat', 50)
 * const stop = log.subscribe(() => render(log.getSnapshot()))
 * ```
 */
export function messageLog<T = unknown>(socket: AnySocket, type: string, limit: number): MessageLog<T> {
  if (!(Number.isInteger(limit) && limit >= 1) && limit !== Number.POSITIVE_INFINITY) {
    throw new LifelineError('INVALID_OPTIONS', `limit must be a whole number >= 1 or Infinity, got ${limit}`)
  }
  let messages: readonly T[] = EMPTY
  const listeners = new Set<() => void>()
  let stop: (() => void) | undefined
  const push = (message: T) => {
    const kept = messages.length < limit ? messages : messages.slice(messages.length - limit + 1)
    messages = [...kept, message]
    for (const listener of [...listeners]) listener()
  }
  return {
    socket,
    type,
    limit,
    subscribe(listener) {
      stop ??= listen(socket, type, push)
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
        if (listeners.size > 0) return
        stop?.()
        stop = undefined
      }
    },
    getSnapshot: () => messages,
  }
}

/** The snapshot of every message log on the server and while hydrating: no messages yet. */
export const noMessages = (): readonly never[] => EMPTY
