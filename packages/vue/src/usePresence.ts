import type { Socket } from '@lifeline/core'
import { nobody, type PresenceState, type PresenceStoreOptions, presenceStore } from '@lifeline/core/adapters'
import { type ShallowRef, shallowReactive, shallowReadonly, toRefs } from 'vue'
import { isServerRender, tryOnScopeDispose } from './environment.js'
import { resolveSocket } from './provideSocket.js'

/** What {@link usePresence} returns: a readonly ref of the channel's members and one of their count. */
export type UsePresenceResult<D = unknown> = {
  readonly [K in keyof PresenceState<D>]: Readonly<ShallowRef<PresenceState<D>[K]>>
}

/**
 * Who is in channel `name` of the socket until the scope is disposed, as refs: `members` (one
 * `{ id, data }` per user, however many tabs and connections it has; `data` is what the server's
 * `authenticate` returned) and `count`. A reconnect changes nothing; a member leaves once its last
 * connection has been gone for the server's grace period. Shares the channel with `useChannel`
 * of the same name. During a server render nobody is there.
 *
 * @param options - `countOnly: true` for a room so large that only the count is worth sending.
 * @param socket - the socket; by default the one from `useSocket()`.
 * @example
 * ```ts
 * const { members, count } = usePresence<{ name: string }>('room:42')
 * // <li v-for="member in members.value" :key="member.id">{{ member.data.name }}</li>
 * ```
 */
export function usePresence<D = unknown>(
  name: string,
  options?: PresenceStoreOptions,
  socket?: Socket,
): UsePresenceResult<D> {
  const store = presenceStore<D>(resolveSocket(socket, 'usePresence'), name, options)
  const state = shallowReactive<PresenceState<D>>({ ...nobody })
  const refs = toRefs(shallowReadonly(state)) as unknown as UsePresenceResult<D>
  if (!isServerRender()) {
    tryOnScopeDispose(store.subscribe(() => Object.assign(state, store.getSnapshot())))
    Object.assign(state, store.getSnapshot())
  }
  return refs
}
