import { LifelineError, type MessageMap, type ReplyOf, type RequestArgs, type Socket } from '@lifeline/core'
import { idleRequest, type RequestState, requestStore } from '@lifeline/core/adapters'
import { type ShallowRef, shallowReactive, shallowReadonly, toRefs } from 'vue'
import { isServerRender, tryOnScopeDispose } from './environment.js'
import { resolveSocket } from './provideSocket.js'

/** What {@link useRequest} returns: a readonly ref per field of the latest request's state, and the functions that drive it. */
export type UseRequestReturn<T, Args extends unknown[]> = {
  readonly [K in keyof RequestState<T>]: Readonly<ShallowRef<RequestState<T>[K]>>
} & {
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

/** `send` during a server render: nothing connects there, so nothing is asked. */
function refused(): Promise<never> {
  const refusal = Promise.reject(new LifelineError('REQUEST_LOST', 'no requests during a server render'))
  refusal.catch(() => {})
  return refusal
}

/**
 * One `type` request at a time, as refs: `status` (`idle`, `pending`, `success`, `error`), `data`
 * (the last reply), `error` (a `LifelineError`), `pending`, and `send`. A new `send` aborts the
 * request before it; disposing the scope (unmounting the component) aborts the request in
 * flight. During a server render the state stays idle and `send` asks nothing.
 *
 * @param type - an outgoing message type of the socket; the reply is typed by its `Replies`.
 * @param socket - the socket to ask; by default the one from `useSocket()`.
 * @example
 * ```ts
 * const user = useRequest('getUser', socket)
 * watch(() => props.id, (id) => user.send({ id }), { immediate: true })
 * const label = computed(() => (user.pending.value ? 'Loading…' : user.data.value?.name))
 * ```
 */
export function useRequest<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
  K extends keyof Out & string = keyof Out & string,
>(type: K, socket?: Socket<In, Out, Replies>): UseRequestReturn<ReplyOf<Replies, K>, RequestArgs<Out, K>> {
  type Reply = ReplyOf<Replies, K>
  const target = resolveSocket(socket as Socket<In, Out> | undefined, 'useRequest')
  const store = requestStore<Reply>(target, type)
  // A shallow copy: fields are set one by one, so a watcher of `data` ignores a `pending` change.
  const state = shallowReactive<RequestState<Reply>>({ ...idleRequest })
  const refs = toRefs(shallowReadonly(state)) as unknown as UseRequestReturn<Reply, RequestArgs<Out, K>>
  if (isServerRender()) return { ...refs, send: refused, abort: () => {}, reset: () => {} }
  tryOnScopeDispose(store.subscribe(() => Object.assign(state, store.getSnapshot())))
  const send = store.send as (...args: RequestArgs<Out, K>) => Promise<Reply>
  return { ...refs, send, abort: store.abort, reset: store.reset }
}
