import type { Socket } from '@lifeline/core'
import { type ChannelState, type ChannelStoreOptions, channelStore, joiningChannel } from '@lifeline/core/adapters'
import type { ChannelPosition } from '@lifeline/core/channels'
import { type ShallowRef, shallowReactive, shallowReadonly, toRefs } from 'vue'
import { isServerRender, tryOnScopeDispose } from './environment.js'
import { resolveSocket } from './provideSocket.js'

/** What {@link useChannel} returns: a readonly ref per field of the channel's state, and `publish`. */
export type UseChannelResult<T> = {
  readonly [K in keyof ChannelState<T>]: Readonly<ShallowRef<ChannelState<T>[K]>>
} & {
  /**
   * Publishes into the channel; resolves with the publication's position. The promise rejects on
   * failure (`PUBLISH_REFUSED`, `REQUEST_TIMEOUT`, …) and needs no handler of its own; returned
   * from a template handler, Vue reports that rejection as an error (`@click="() => void publish(x)"` does not).
   */
  publish(data: T): Promise<ChannelPosition>
}

/**
 * Follows channel `name` of the socket until the scope is disposed, as refs: `status`, `messages`
 * (the latest `limit` payloads, oldest first; none lost in a burst), `last`, `recovered`, `error`,
 * the position (`epoch`, `offset`: store it and pass it back as `since` after a reload), the last
 * `gap`, and `publish`. Every scope following one name on one socket
 * shares one channel, left a moment after the last one is disposed. During a server render the
 * state is `joining` and nothing is joined.
 *
 * @param options - `limit` (default 100), and `since` / `recover` as `channel()` takes them.
 * @param socket - the socket; by default the one from `useSocket()`.
 * @example
 * ```ts
 * const room = useChannel<ChatLine>('room:42', { limit: 50 }, socket)
 * watch(room.gap, (gap) => gap && reloadFromApi(gap.from, gap.to)) // once per gap
 * // <li v-for="line in room.messages.value">{{ line.text }}</li>
 * ```
 */
export function useChannel<T = unknown>(
  name: string,
  options?: ChannelStoreOptions,
  socket?: Socket,
): UseChannelResult<T> {
  const store = channelStore<T>(resolveSocket(socket, 'useChannel'), name, options)
  // A shallow copy: fields are set one by one, so a watcher of `status` ignores a new message.
  const state = shallowReactive<ChannelState<T>>({ ...joiningChannel })
  const refs = toRefs(shallowReadonly(state)) as unknown as UseChannelResult<T>
  if (!isServerRender()) {
    tryOnScopeDispose(store.subscribe(() => Object.assign(state, store.getSnapshot())))
    Object.assign(state, store.getSnapshot())
  }
  return { ...refs, publish: store.publish }
}
