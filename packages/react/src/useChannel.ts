import {
  type AnySocket,
  type ChannelState,
  type ChannelStoreOptions,
  channelStore,
  joiningChannel,
} from '@lifeline/core/adapters'
import type { ChannelPosition } from '@lifeline/core/channels'
import { useMemo, useState, useSyncExternalStore } from 'react'
import { useTargetSocket } from './SocketContext.js'

/** What {@link useChannel} returns: the channel's state and latest payloads, and `publish`. */
export interface UseChannelResult<T> extends ChannelState<T> {
  /**
   * Publishes into the channel; resolves with the publication's position. The promise rejects on
   * failure (`PUBLISH_REFUSED`, `REQUEST_TIMEOUT`, …) and needs no handler of its own.
   */
  publish(data: T): Promise<ChannelPosition>
}

const getJoining = () => joiningChannel

/**
 * Follows channel `name` of the socket: `status`, `messages` (the latest `limit` payloads, oldest
 * first; none lost in a burst), `last`, `recovered`, `error`, the position (`epoch`, `offset`: store
 * it and pass it back as `since` after a reload), the last `gap`, and `publish`. Every component following one name on one socket shares one channel, left a moment
 * after the last one unmounts (so StrictMode's remount neither leaves nor joins again). During a
 * server render and hydration the state is `joining` and nothing is joined.
 *
 * @param name - the channel's name.
 * @param options - `limit` (default 100), and `since` / `recover` as `channel()` takes them.
 * @param socket - the socket; defaults to the nearest `SocketProvider`'s.
 * @example
 * ```tsx
 * function Room({ id }: { id: string }) {
 *   const room = useChannel<ChatLine>(`room:${id}`, { limit: 50 })
 *   useEffect(() => {
 *     if (room.gap) reloadFromApi(room.gap.from, room.gap.to) // once per gap
 *   }, [room.gap])
 *   return <ul>{room.messages.map((line, i) => <li key={i}>{line.text}</li>)}</ul>
 * }
 * ```
 */
export function useChannel<T = unknown>(
  name: string,
  options?: ChannelStoreOptions,
  socket?: AnySocket,
): UseChannelResult<T> {
  const target = useTargetSocket(socket, 'useChannel')
  const [kept, keep] = useState(() => channelStore<T>(target, name, options))
  let store = kept
  if (store.socket !== target || store.name !== name || store.limit !== (options?.limit ?? 100)) {
    store = channelStore<T>(target, name, options) // another socket, name or limit follows afresh
    keep(store)
  }
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, getJoining)
  return useMemo(() => ({ ...state, publish: store.publish }), [state, store])
}
