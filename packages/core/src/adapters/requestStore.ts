import { isLifelineError, LifelineError, type RequestOptions } from '@lifeline/core'
import type { AnySocket } from './types.js'

/** Where a request is: none made yet, waiting, answered, failed. */
export type RequestStatus = 'idle' | 'pending' | 'success' | 'error'

/** The state of the latest request, replaced (never mutated) on every change. */
export interface RequestState<T = unknown> {
  /** `idle` before the first request and after `reset()`, then `pending`, `success` or `error`. */
  readonly status: RequestStatus
  /** The data of the last reply, kept while a newer request is pending or after it failed; `undefined` before one. */
  readonly data: T | undefined
  /** Why the latest request failed (`REQUEST_TIMEOUT`, `REQUEST_FAILED`, …); `null` unless `status` is `error`. */
  readonly error: LifelineError | null
  /** `status === 'pending'`. */
  readonly pending: boolean
}

/** The state before any request, on the server, and while hydrating. */
export const idleRequest: RequestState<never> = Object.freeze({
  status: 'idle',
  data: undefined,
  error: null,
  pending: false,
})

/**
 * One request at a time over `socket.request(type)`, as an external store: what `useRequest` is
 * made of in both adapters. A new `send` aborts the request before it; the last subscriber leaving
 * aborts the request in flight (a component unmounted, a scope disposed).
 */
export interface RequestStore<T = unknown> {
  /** The socket it asks through. */
  readonly socket: AnySocket
  /** The outgoing type it asks with. */
  readonly type: string
  /** Calls `listener` after every change of the state; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  /** The state of the latest request. */
  getSnapshot(): RequestState<T>
  /**
   * Makes the request on the next microtask: sends made and aborted in the same synchronous run
   * (React StrictMode's effect, cleanup, effect) never reach the socket. Never throws: every
   * failure rejects the promise and lands in the state. The promise needs no handler of its own.
   */
  send(data?: unknown, options?: RequestOptions): Promise<T>
  /** Aborts the request in flight: it rejects with `REQUEST_ABORTED` (`cause` = `reason`), and the state says so. */
  abort(reason?: unknown): void
  /** Aborts the request in flight, if any, without reporting it, and returns to the idle state. */
  reset(): void
}

/** The `cause` of a request aborted because a newer one replaced it. */
const SUPERSEDED = 'a newer request replaced it'
/** The `cause` of a request aborted by `reset()`. */
const RESET = 'the request was reset'
/** The `cause` of a request aborted because nobody follows its store any more. */
const ABANDONED = 'nobody follows this request any more'

/**
 * A {@link RequestStore} of `type` requests on `socket`.
 *
 * @example
 * ```ts
 * const store = requestStore<{ name: string }>(socket, 'getUser')
 * const stop = store.subscribe(() => render(store.getSnapshot()))
 * store.send({ id: '42' })
 * ```
 */
export function requestStore<T = unknown>(socket: AnySocket, type: string): RequestStore<T> {
  let state: RequestState<T> = idleRequest
  /** The latest request's controller, while it is in flight. */
  let current: AbortController | null = null
  const listeners = new Set<() => void>()

  const set = (next: RequestState<T>) => {
    state = next
    for (const listener of [...listeners]) listener()
  }
  /** Forgets the request in flight, so nothing it does later reaches the state, and aborts it. */
  const drop = (reason: unknown) => {
    const controller = current
    current = null
    controller?.abort(reason)
  }

  return {
    socket,
    type,
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
        if (!listeners.size) current?.abort(ABANDONED)
      }
    },
    getSnapshot: () => state,
    send(data, options) {
      drop(SUPERSEDED)
      const controller = new AbortController()
      current = controller
      const given = options?.signal
      const follow = () => controller.abort(given?.reason)
      if (given?.aborted) follow()
      else given?.addEventListener('abort', follow)
      set({ status: 'pending', data: state.data, error: null, pending: true })
      const reply = Promise.resolve().then(
        () => socket.request(type, data, { ...options, signal: controller.signal }) as Promise<T>,
      )
      const mine = () => current === controller
      reply.then(
        (value) => {
          given?.removeEventListener('abort', follow)
          if (!mine()) return
          current = null
          set({ status: 'success', data: value, error: null, pending: false })
        },
        (cause: unknown) => {
          given?.removeEventListener('abort', follow)
          if (!mine()) return
          current = null
          // The core rejects with LifelineErrors only; a WebSocket that threw on send is wrapped.
          const error = isLifelineError(cause)
            ? cause
            : new LifelineError('REQUEST_LOST', 'request not sent', { cause })
          set({ status: 'error', data: state.data, error, pending: false })
        },
      )
      return reply
    },
    abort(reason) {
      current?.abort(reason)
    },
    reset() {
      drop(RESET)
      if (state !== idleRequest) set(idleRequest)
    },
  }
}
