import type { MessageMap, ReplyOf, RequestArgs, Socket } from '@lifeline/core'
import { idleRequest, type RequestState, requestStore } from '@lifeline/core/adapters'
import { useMemo, useState, useSyncExternalStore } from 'react'
import { useTargetSocket } from './SocketContext.js'

/** What {@link useRequest} returns: the latest request's state, and the functions that drive it. */
export interface UseRequestResult<T, Args extends unknown[]> extends RequestState<T> {
  /**
   * Sends the request, as `socket.request(type, data, options)` takes it, aborting the one before
   * it. Never throws; the promise resolves with the reply's data or rejects with the
   * `LifelineError` that is also in `error`, and needs no handler of its own.
   */
  send(...args: Args): Promise<T>
  /** Aborts the request in flight: it rejects with `REQUEST_ABORTED`, and `error` says so. */
  abort(reason?: unknown): void
  /** Aborts the request in flight, if any, and returns to `idle`. */
  reset(): void
}

const getIdle = () => idleRequest

/**
 * One `type` request at a time, as state: `status` (`idle`, `pending`, `success`, `error`),
 * `data` (the last reply), `error` (a `LifelineError`), `pending`, and `send`. A new `send`
 * aborts the request before it; unmounting aborts the request in flight. The request goes out a
 * microtask after `send`, so StrictMode's effect, cleanup, effect sends it once. During a server
 * render and hydration the state is idle.
 *
 * @param type - an outgoing message type of the socket; the reply is typed by its `Replies`.
 * @param socket - the socket to ask; defaults to the nearest `SocketProvider`'s.
 * @example
 * ```tsx
 * function Profile({ socket, id }: { socket: Socket<Incoming, Outgoing, Replies>; id: string }) {
 *   const user = useRequest('getUser', socket)
 *   useEffect(() => void user.send({ id }), [user.send, id])
 *   if (user.error) return <p>{user.error.code}</p>
 *   return <p>{user.pending ? 'Loading…' : user.data?.name}</p>
 * }
 * ```
 */
export function useRequest<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
  K extends keyof Out & string = keyof Out & string,
>(type: K, socket?: Socket<In, Out, Replies>): UseRequestResult<ReplyOf<Replies, K>, RequestArgs<Out, K>> {
  const target = useTargetSocket(socket, 'useRequest')
  const [kept, keep] = useState(() => requestStore<ReplyOf<Replies, K>>(target, type))
  let store = kept
  if (store.socket !== target || store.type !== type) {
    store = requestStore(target, type) // a new socket or type starts from idle
    keep(store)
  }
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, getIdle)
  return useMemo(
    () => ({
      ...state,
      send: store.send as (...args: RequestArgs<Out, K>) => Promise<ReplyOf<Replies, K>>,
      abort: store.abort,
      reset: store.reset,
    }),
    [state, store],
  )
}
