import type { MessageMap, ReplyOf, RequestArgs, Socket } from '@lifeline/core'
import { idleRequest, type RequestState, requestStore } from '@lifeline/core/adapters'
import { type ShallowRef, shallowReactive, shallowReadonly, toRefs } from 'vue'
import { isServerRender, tryOnScopeDispose } from './environment.js'
import { resolveSocket } from './provideSocket.js'

/** What {@link useRequest} returns: a readonly ref per field of the latest request's state, and the functions that drive it. */
export type UseRequestResult<T, Args extends unknown[]> = {
  readonly [K in keyof RequestState<T>]: Readonly<ShallowRef<RequestState<T>[K]>>
} & {
  /**
   * Sends the request, as `socket.request(type, data, options)` takes it, aborting the one before
   * it. Never throws, and its promise never rejects: it resolves with the reply's data, or with
   * `undefined` when the request failed or a newer one replaced it (the failure is in `error`).
   * So `@click="send({ id })"` and a `watch` that sends log nothing when a request fails: Vue
   * reports a rejected promise returned by a handler or watcher as an error. For a promise that
   * rejects, call `socket.request` itself.
   */
  send(...args: Args): Promise<T | undefined>
  /** Aborts the request in flight: it rejects with `REQUEST_ABORTED`, and `error` says so. */
  abort(reason?: unknown): void
  /** Aborts the request in flight, if any, and returns to `idle`. */
  reset(): void
}

/**
 * @deprecated Renamed {@link UseRequestResult}, the name React's adapter uses for the same thing.
 */
export type UseRequestReturn<T, Args extends unknown[]> = UseRequestResult<T, Args>

/** The reply's data, or `undefined` when the request failed (the state says why). */
const settled = <T>(request: Promise<T>): Promise<T | undefined> =>
  request.then(
    (data) => data,
    () => undefined,
  )

/**
 * One `type` request at a time, as refs: `status` (`idle`, `pending`, `success`, `error`), `data`
 * (the last reply), `error` (a `LifelineError`), `pending`, and `send`. A new `send` aborts the
 * request before it; disposing the scope (unmounting the component) aborts the request in
 * flight. During a server render the state stays idle and `send` asks nothing (it resolves with
 * `undefined`).
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
>(type: K, socket?: Socket<In, Out, Replies>): UseRequestResult<ReplyOf<Replies, K>, RequestArgs<Out, K>> {
  type Reply = ReplyOf<Replies, K>
  const target = resolveSocket(socket as Socket<In, Out> | undefined, 'useRequest')
  const store = requestStore<Reply>(target, type)
  // A shallow copy: fields are set one by one, so a watcher of `data` ignores a `pending` change.
  const state = shallowReactive<RequestState<Reply>>({ ...idleRequest })
  const refs = toRefs(shallowReadonly(state)) as unknown as UseRequestResult<Reply, RequestArgs<Out, K>>
  if (isServerRender()) return { ...refs, send: () => Promise.resolve(undefined), abort: () => {}, reset: () => {} }
  tryOnScopeDispose(store.subscribe(() => Object.assign(state, store.getSnapshot())))
  const send = (...args: RequestArgs<Out, K>) =>
    settled((store.send as (...args: RequestArgs<Out, K>) => Promise<Reply>)(...args))
  return { ...refs, send, abort: store.abort, reset: store.reset }
}
