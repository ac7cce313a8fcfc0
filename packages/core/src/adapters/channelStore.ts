import { LifelineError } from '@lifeline/core'
import {
  type Channel,
  type ChannelGap,
  type ChannelOptions,
  type ChannelPosition,
  type ChannelStatus,
  channel,
} from '@lifeline/core/channels'
import { GRACE_PERIOD } from './socketRegistry.js'
import type { AnySocket } from './types.js'

/** A channel's state and its latest publications, replaced (never mutated) on every change. */
export interface ChannelState<T = unknown> {
  /** `joining`, `joined`, `left` or `failed` (the server refused: `error` says why). */
  readonly status: ChannelStatus
  /** The payloads received while followed, oldest first, at most `limit`; a new array per publication. */
  readonly messages: readonly T[]
  /** The latest payload, `undefined` before the first. */
  readonly last: T | undefined
  /** Whether the last join resumed from where the channel was: nothing missed. */
  readonly recovered: boolean
  /** Why the last join failed (`JOIN_REFUSED`, …), `null` once one succeeds. */
  readonly error: LifelineError | null
  /** The epoch of `offset`, `null` before the first join's answer. */
  readonly epoch: string | null
  /**
   * The offset of the last publication delivered (the channel's top after a join with nothing new).
   * With `epoch`, the position to store and pass back as `since` after a reload.
   */
  readonly offset: number
  /**
   * The last gap while followed: offsets `from` to `to` that will never be delivered, and why
   * (`trimmed` or `epoch`); `null` before any. A new object per gap, so an effect or watcher on it
   * runs once per gap (the moment to reload what was missed from where it is kept for good).
   */
  readonly gap: ChannelGap | null
}

/** Options of {@link channelStore}: those of `channel()`, and how many payloads to keep. */
export interface ChannelStoreOptions extends ChannelOptions {
  /**
   * How many payloads `messages` keeps; older ones fall off the front. A whole number >= 1, or `Infinity`.
   * @default 100
   */
  limit?: number
}

/** The state on the server, while hydrating, and before the first subscriber. */
export const joiningChannel: ChannelState<never> = Object.freeze({
  status: 'joining',
  messages: Object.freeze([]) as readonly never[],
  last: undefined,
  recovered: false,
  error: null,
  epoch: null,
  offset: 0,
  gap: null,
})

/**
 * One channel of one socket followed as an external store: what `useChannel` is made of in both
 * adapters. Its subscribers share the socket's channel of that name with every other store (and
 * leave it a {@link GRACE_PERIOD} after the last one goes, so a remount keeps the subscription).
 */
export interface ChannelStore<T = unknown> {
  /** The socket of the channel. */
  readonly socket: AnySocket
  /** The channel's name. */
  readonly name: string
  /** How many payloads it keeps. */
  readonly limit: number
  /** Calls `listener` after every change; the first subscriber joins, the last one leaves. */
  subscribe(listener: () => void): () => void
  /** The state now; {@link joiningChannel} until the first subscriber. */
  getSnapshot(): ChannelState<T>
  /**
   * Publishes into the channel (see `Channel.publish`). The promise rejects on failure (and with
   * `REQUEST_LOST` while nothing follows the channel: on the server, before mounting); it needs
   * no handler of its own (an unawaited failure is not an unhandled rejection).
   */
  publish(data: T): Promise<ChannelPosition>
}

/** One socket's channel of one name, and how many stores follow it now. */
interface Shared {
  channel: Channel<unknown>
  users: number
  timer: ReturnType<typeof setTimeout> | undefined
}

const shared = new WeakMap<AnySocket, Map<string, Shared>>()

function retain(socket: AnySocket, name: string, options: ChannelOptions): Shared {
  let names = shared.get(socket)
  if (!names) {
    names = new Map()
    shared.set(socket, names)
  }
  let entry = names.get(name)
  if (!entry || entry.channel.getSnapshot().status === 'left') {
    entry = { channel: channel(socket, name, options), users: 0, timer: undefined }
    names.set(name, entry)
  }
  clearTimeout(entry.timer)
  entry.users++
  return entry
}

function release(socket: AnySocket, name: string, entry: Shared): void {
  if (--entry.users) return
  entry.timer = setTimeout(() => {
    if (entry.users) return
    entry.channel.leave()
    if (shared.get(socket)?.get(name) === entry) shared.get(socket)?.delete(name)
  }, GRACE_PERIOD)
}

/**
 * A {@link ChannelStore} of channel `name` on `socket`.
 *
 * @throws `INVALID_OPTIONS` for a bad `limit` (at once) or a bad name or option (at the first subscriber).
 * @example
 * ```ts
 * const store = channelStore<ChatLine>(socket, 'room:42', { limit: 50 })
 * const stop = store.subscribe(() => render(store.getSnapshot().messages))
 * ```
 */
export function channelStore<T = unknown>(
  socket: AnySocket,
  name: string,
  options: ChannelStoreOptions = {},
): ChannelStore<T> {
  const { limit = 100, ...channelOptions } = options
  if (!(Number.isInteger(limit) && limit >= 1) && limit !== Number.POSITIVE_INFINITY) {
    throw new LifelineError('INVALID_OPTIONS', `limit must be a whole number >= 1 or Infinity, got ${limit}`)
  }
  let state: ChannelState<T> = joiningChannel
  const listeners = new Set<() => void>()
  let entry: Shared | undefined
  let stop: (() => void) | undefined

  const set = (patch: Partial<ChannelState<T>>) => {
    state = { ...state, ...patch }
    for (const listener of [...listeners]) listener()
  }
  const follow = (followed: Channel<unknown>) => {
    const update = () => {
      const { status, recovered, error, epoch, offset } = followed.getSnapshot()
      if (
        status !== state.status ||
        recovered !== state.recovered ||
        error !== state.error ||
        epoch !== state.epoch ||
        offset !== state.offset
      ) {
        set({ status, recovered, error, epoch, offset })
      }
    }
    const offMessage = followed.on('message', (data) => {
      const kept =
        state.messages.length < limit ? state.messages : state.messages.slice(state.messages.length - limit + 1)
      set({ messages: [...kept, data as T], last: data as T })
    })
    const offGap = followed.on('gap', (gap) => set({ gap }))
    const offState = followed.subscribe(update)
    update()
    return () => {
      offMessage()
      offGap()
      offState()
    }
  }

  return {
    socket,
    name,
    limit,
    subscribe(listener) {
      if (!entry) {
        entry = retain(socket, name, channelOptions)
        stop = follow(entry.channel)
      }
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
        if (listeners.size || !entry) return
        stop?.()
        release(socket, name, entry)
        entry = stop = undefined
      }
    },
    getSnapshot: () => state,
    publish(data) {
      const followed = entry ?? shared.get(socket)?.get(name)
      const published = followed
        ? followed.channel.publish(data)
        : Promise.reject(new LifelineError('REQUEST_LOST', `nothing follows channel ${name}: publish once mounted`))
      published.catch(() => {})
      return published
    },
  }
}
