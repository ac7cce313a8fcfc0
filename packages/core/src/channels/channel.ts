import { LifelineError } from '@lifeline/core'
import { isChannelName, MAX_CHANNEL_LENGTH, PUBLISH } from '../protocol/channels.js'
import { register, unregister } from './registry.js'
import type {
  ChannelEvents,
  ChannelOptions,
  ChannelPosition,
  ChannelSnapshot,
  ChannelSocket,
  PresenceMember,
} from './types.js'
import { type Member, refusal } from './wire.js'

/**
 * A channel joined on a socket: its publications once each and in order (or a `gap` that says
 * what could not be recovered), its state as a snapshot, and `publish`. Made by {@link channel}.
 *
 * @typeParam T - the payload type of the channel's publications.
 */
export interface Channel<T = unknown> {
  /** The channel's name. */
  readonly name: string
  /**
   * Listens to `message`, `gap`, `state`, `error`, or (with option `presence`) `join`, `leave`
   * and `presence`; returns a function that stops listening. A handler that throws is reported
   * as an `error` event (`HANDLER_FAILED`).
   *
   * @example
   * ```ts
   * room.on('message', (line, { offset }) => render(line, offset))
   * room.on('gap', ({ from, to }) => reloadFromApi(from, to))
   * room.on('join', ({ id, data }) => toast(`${data.name} is here`))
   * ```
   */
  on<K extends keyof ChannelEvents<T>>(type: K, handler: ChannelEvents<T>[K]): () => void
  /**
   * The channel's members now (with option `presence: true`): one `{ id, data }` per user, however
   * many tabs and connections it has; `data` is what the server's `authenticate` returned for it.
   * The same array until a member joins or leaves. Kept through a drop and brought up to date by
   * the rejoin, so a reconnect shows no leave and no join. Empty without the option, and once left.
   *
   * @example
   * ```ts
   * const room = channel(socket, 'room:42', { presence: true })
   * room.on('presence', (members) => renderWhoIsHere(members.map((member) => member.data.name)))
   * ```
   */
  presence<D = unknown>(): readonly PresenceMember<D>[]
  /** How many members the channel has now (with option `presence`: `true` or `'count'`); `0` without it. */
  memberCount(): number
  /** The current state; the same object until a field changes. A bound function. */
  getSnapshot: () => ChannelSnapshot
  /** Calls `listener` after every snapshot change; returns the unsubscribe function. A bound function. */
  subscribe: (listener: () => void) => () => void
  /**
   * Publishes into the channel: a request (`$publish`), so it is queued while offline, resent
   * after a drop and deduped by the server. Resolves with the publication's position; every
   * member of the channel receives it as a `message`, this handle too. Works whatever the status.
   *
   * @throws `ENCODE_FAILED` for a payload the codec cannot encode, `DISPOSED` after the socket's `dispose()`.
   * @example
   * ```ts
   * const { offset } = await room.publish({ text: 'hi' }) // rejects with PUBLISH_REFUSED, REQUEST_TIMEOUT, …
   * ```
   */
  publish(data: T): Promise<ChannelPosition>
  /**
   * Joins again now, from the last position delivered: after a refused join (`failed`), or to
   * retry a join that timed out. Does nothing once left.
   */
  rejoin(): void
  /**
   * Leaves: this handle delivers nothing more and its status is `left`. The channel's wire
   * subscription ends (`$leave`) with the last handle of that name on the socket. Idempotent.
   */
  leave(): void
}

const KNOWN = ['since', 'recover', 'presence']

function check(name: string, options: ChannelOptions): void {
  const { since, recover, presence } = options
  const fault = !isChannelName(name)
    ? `a channel name has 1 to ${MAX_CHANNEL_LENGTH} characters`
    : Object.keys(options).some((key) => !KNOWN.includes(key)) ||
        (since !== undefined &&
          !(typeof since?.epoch === 'string' && since.offset >= 0 && Number.isInteger(since.offset))) ||
        (recover !== undefined && typeof recover !== 'boolean') ||
        (presence !== undefined && typeof presence !== 'boolean' && presence !== 'count')
      ? "options: since { epoch, offset >= 0 }, recover: boolean, presence: boolean or 'count'"
      : ''
  if (fault) throw new LifelineError('INVALID_OPTIONS', fault)
}

/**
 * Joins channel `name` on `socket` now (when open) and again on every new link, asking for what was
 * published while it was away. The handler sees each publication once, in channel order, none
 * missing; or a `gap` event that says which offsets will never come, then publications from the
 * top. Two calls for one name on one socket share one subscription on the wire; each handle has
 * its own listeners and snapshot. Works on any `Socket` (`connect`, `connectShared`, the testing kit's).
 *
 * @typeParam T - the payload type of the channel's publications.
 * @throws `INVALID_OPTIONS` for a name that is not a string of 1 to 256 characters or a bad option,
 * `DISPOSED` when the socket was disposed.
 * @example
 * ```ts
 * import { channel } from '@lifeline/core/channels'
 *
 * const room = channel<ChatLine>(socket, 'room:42')
 * room.on('message', (line, { epoch, offset }) => render(line))
 * room.on('gap', ({ reason, from, to }) => reloadFromApi())
 * await room.publish({ text: 'hi' })
 * room.leave()
 * ```
 */
export function channel<T = unknown>(socket: ChannelSocket, name: string, options: ChannelOptions = {}): Channel<T> {
  check(name, options)
  const wire = register(socket, name, options)
  const listeners: { [K in keyof ChannelEvents<T>]?: Set<ChannelEvents<T>[K]> } = {}
  /** The snapshot once left; until then the wire's. */
  let left: ChannelSnapshot | null = null

  const emit: Member['emit'] = (type, ...args) => {
    if (left && type !== 'state') return
    const set = (listeners[type] ?? new Set()) as Set<(...args: unknown[]) => void>
    for (const listener of [...set]) {
      if (!set.has(listener)) continue // removed while this event went out
      try {
        listener(...args)
      } catch (cause) {
        if (type !== 'error' && listeners.error?.size) {
          emit('error', new LifelineError('HANDLER_FAILED', `${type} handler threw`, { cause }))
        } else {
          ;((globalThis as { reportError?: (error: unknown) => void }).reportError ?? console.error)(cause)
        }
      }
    }
  }
  const getSnapshot = () => left ?? wire.snapshot
  const end = () => {
    if (left) return
    left = { ...wire.snapshot, status: 'left' }
    emit('state', left)
  }
  const member: Member = { changed: () => emit('state', wire.snapshot), emit, end }
  wire.members.add(member)

  const on = <K extends keyof ChannelEvents<T>>(type: K, handler: ChannelEvents<T>[K]) => {
    // Its own wrapper: the function returned removes this subscription only.
    const listener = ((...args: never[]) => (handler as (...args: never[]) => void)(...args)) as ChannelEvents<T>[K]
    listeners[type] ??= new Set() as never
    const set = listeners[type] as Set<ChannelEvents<T>[K]>
    set.add(listener)
    return () => void set.delete(listener)
  }

  return {
    name,
    on,
    getSnapshot,
    presence: () => (left ? [] : wire.people) as never,
    memberCount: () => (left ? 0 : wire.count),
    subscribe: (listener) => on('state', () => listener()),
    publish: (data) => {
      const reply = socket.request(PUBLISH, { channel: name, data }) as Promise<ChannelPosition>
      return reply.catch((error: LifelineError) => {
        throw refusal(error, 'PUBLISH_REFUSED')
      })
    },
    rejoin: () => {
      if (!left) wire.join(true)
    },
    leave: () => {
      if (left) return
      wire.members.delete(member)
      if (!wire.members.size) {
        wire.stop(true)
        unregister(socket, name, wire)
      }
      end()
    },
  }
}
