import type { MessageMap, Snapshot, Socket } from '@lifeline/core'
import { type ShallowRef, shallowReactive, shallowReadonly, toRefs } from 'vue'
import { isServerRender, tryOnScopeDispose } from './environment.js'
import { resolveSocket } from './provideSocket.js'

/**
 * The socket's snapshot as one readonly shallow ref per field; each changes only with its field.
 *
 * @example
 * ```ts
 * function useOnline(state: SocketState) {
 *   return computed(() => state.status.value === 'open')
 * }
 * ```
 */
export type SocketState = { readonly [K in keyof Snapshot]: Readonly<ShallowRef<Snapshot[K]>> }

/**
 * The socket's state as readonly refs (`status`, `attempt`, `queued`, `pending`, `latency`, `lastError`,
 * `lastClose`, `nextRetryAt`), fed from `socket.subscribe` and unsubscribed when the scope is
 * disposed. During a server render it reports the snapshot as it is and subscribes to nothing.
 *
 * @param socket - the socket to follow; by default the one from `useSocket()`.
 * @example
 * ```ts
 * const { status, attempt, nextRetryAt } = useSocketState()
 * const label = computed(() => (status.value === 'reconnecting' ? `retry ${attempt.value}` : status.value))
 * ```
 */
export function useSocketState<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>>(
  socket?: Socket<In, Out>,
): SocketState {
  const target = resolveSocket(socket, 'useSocketState')
  // A shallow copy: fields are set one by one, so a watcher of `status` ignores a `queued` change.
  const state = shallowReactive({ ...target.getSnapshot() })
  if (!isServerRender()) {
    tryOnScopeDispose(target.subscribe(() => Object.assign(state, target.getSnapshot())))
  }
  return toRefs(shallowReadonly(state)) as unknown as SocketState
}
