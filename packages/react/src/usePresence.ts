import {
  type AnySocket,
  nobody,
  type PresenceState,
  type PresenceStoreOptions,
  presenceStore,
} from '@lifeline/core/adapters'
import { useState, useSyncExternalStore } from 'react'
import { useTargetSocket } from './SocketContext.js'

/** What {@link usePresence} returns: the channel's members (`{ id, data }` per user) and their count. */
export type UsePresenceResult<D = unknown> = PresenceState<D>

const getNobody = () => nobody

/**
 * Who is in channel `name` of the socket: `members` (one `{ id, data }` per user, however many
 * tabs and connections it has; `data` is what the server's `authenticate` returned) and `count`.
 * A reconnect changes nothing; a member leaves once its last connection has been gone for the
 * server's grace period. Shares the channel with `useChannel` of the same name. During a server
 * render and hydration nobody is there.
 *
 * @param name - the channel's name.
 * @param options - `countOnly: true` for a room so large that only the count is worth sending.
 * @param socket - the socket; defaults to the nearest `SocketProvider`'s.
 * @example
 * ```tsx
 * function WhoIsHere({ room }: { room: string }) {
 *   const { members } = usePresence<{ name: string }>(`room:${room}`)
 *   return <ul>{members.map((member) => <li key={member.id}>{member.data.name}</li>)}</ul>
 * }
 * ```
 */
export function usePresence<D = unknown>(
  name: string,
  options?: PresenceStoreOptions,
  socket?: AnySocket,
): UsePresenceResult<D> {
  const target = useTargetSocket(socket, 'usePresence')
  const countOnly = options?.countOnly ?? false
  const make = () => ({ store: presenceStore<D>(target, name, { countOnly }), target, name, countOnly })
  const [kept, keep] = useState(make)
  let current = kept
  if (kept.target !== target || kept.name !== name || kept.countOnly !== countOnly) {
    current = make() // another socket, name or mode follows afresh
    keep(current)
  }
  return useSyncExternalStore(current.store.subscribe, current.store.getSnapshot, getNobody)
}
