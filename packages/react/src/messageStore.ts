import { listen } from './listen.js'
import type { AnySocket } from './types.js'

const EMPTY: readonly never[] = Object.freeze([])

/**
 * The last `limit` payloads of one event type, oldest first, kept outside React: each event
 * makes a new array at once, so a burst delivered in one tick loses nothing to batching.
 * It listens to the socket only while React is subscribed.
 */
export interface MessageStore {
  readonly socket: AnySocket
  readonly type: string
  readonly limit: number
  subscribe(listener: () => void): () => void
  getSnapshot(): readonly unknown[]
}

/** A {@link MessageStore} for `type` events of `socket`, keeping the last `limit`. */
export function messageStore(socket: AnySocket, type: string, limit: number): MessageStore {
  let messages: readonly unknown[] = EMPTY
  const listeners = new Set<() => void>()
  let stop: (() => void) | undefined
  const push = (message: unknown) => {
    const kept = messages.length < limit ? messages : messages.slice(messages.length - limit + 1)
    messages = [...kept, message]
    for (const listener of listeners) listener()
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

/** The snapshot on the server and while hydrating: no messages yet. */
export const getServerMessages = (): readonly never[] => EMPTY
