import { type Channel, channel, type PresenceMember } from '@lifeline/core/channels'
import { GRACE_PERIOD } from './socketRegistry.js'
import type { AnySocket } from './types.js'

/** Who is in a channel, replaced (never mutated) on every change. */
export interface PresenceState<D = unknown> {
  /** The members now: one `{ id, data }` per user (none with `countOnly`); a new array when one joins or leaves. */
  readonly members: readonly PresenceMember<D>[]
  /** How many members the channel has. */
  readonly count: number
}

/** Options of {@link presenceStore}. */
export interface PresenceStoreOptions {
  /**
   * Only how many members there are, not who: for a room so large that the list would cost more
   * than it shows (the server sends the count at most once a second).
   * @default false
   */
  countOnly?: boolean
}

/** Nobody: the state on the server, while hydrating, and before the first subscriber. */
export const nobody: PresenceState<never> = Object.freeze({ members: Object.freeze([]) as readonly never[], count: 0 })

/** Who is in one channel of one socket as an external store: what `usePresence` is made of in both adapters. */
export interface PresenceStore<D = unknown> {
  /** Calls `listener` after every change; the first subscriber joins (sharing the socket's channel of that name), the last one leaves. */
  subscribe(listener: () => void): () => void
  /** The state now; {@link nobody} until the first subscriber. */
  getSnapshot(): PresenceState<D>
}

/** One socket's channel handle per name and mode, and how many stores follow it. */
interface Shared {
  channel: Channel
  users: number
  timer: ReturnType<typeof setTimeout> | undefined
}

const shared = new WeakMap<AnySocket, Map<string, Shared>>()

/**
 * A {@link PresenceStore} of channel `name` on `socket`: it joins the channel with option
 * `presence` (sharing the wire subscription with every other handle of that name, `useChannel`'s
 * included), and leaves it a {@link GRACE_PERIOD} after its last subscriber goes.
 *
 * @throws `INVALID_OPTIONS` for a bad name (at the first subscriber).
 * @example
 * ```ts
 * const store = presenceStore<{ name: string }>(socket, 'room:42')
 * const stop = store.subscribe(() => render(store.getSnapshot().members))
 * ```
 */
export function presenceStore<D = unknown>(
  socket: AnySocket,
  name: string,
  options: PresenceStoreOptions = {},
): PresenceStore<D> {
  const key = `${options.countOnly ? 'count' : 'list'}:${name}`
  let state: PresenceState<D> = nobody
  const listeners = new Set<() => void>()
  let entry: Shared | undefined
  let stop: (() => void) | undefined

  const follow = (room: Channel) => {
    const update = () => {
      const members = room.presence<D>()
      const count = room.memberCount()
      if (members === state.members && count === state.count) return
      state = { members, count }
      for (const listener of [...listeners]) listener()
    }
    const off = room.on('presence', update)
    update()
    return off
  }

  return {
    subscribe(listener) {
      if (!entry) {
        const names = shared.get(socket) ?? new Map<string, Shared>()
        shared.set(socket, names)
        entry = names.get(key)
        if (!entry || entry.channel.getSnapshot().status === 'left') {
          entry = {
            channel: channel(socket, name, { presence: options.countOnly ? 'count' : true }),
            users: 0,
            timer: undefined,
          }
          names.set(key, entry)
        }
        clearTimeout(entry.timer)
        entry.users++
        stop = follow(entry.channel)
      }
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
        const followed = entry
        if (listeners.size || !followed) return
        stop?.()
        entry = stop = undefined
        if (--followed.users) return
        followed.timer = setTimeout(() => {
          if (followed.users) return
          followed.channel.leave()
          if (shared.get(socket)?.get(key) === followed) shared.get(socket)?.delete(key)
        }, GRACE_PERIOD)
      }
    },
    getSnapshot: () => state,
  }
}
