import type { Publication } from './broker.js'

/** What rooms hold: a peer, by its id, and the means to write to it. */
export interface Member {
  readonly id: string
  /** Writes a ready frame if the connection is open. */
  write(frame: string): unknown
}

/**
 * The peers of this instance and the channels (rooms) they are in: who gets a publication here.
 * Made by {@link createRooms}.
 */
export interface Rooms<M extends Member> {
  /** Every peer connected to this instance. */
  readonly all: ReadonlySet<M>
  /** A peer connected. */
  add(member: M): void
  /** A peer left: out of every room too. */
  remove(member: M): void
  /** Puts a peer in a channel's room; `false` when it was there already. */
  join(channel: string, member: M): boolean
  /** Takes a peer out of a channel's room; `false` when it was not there. */
  leave(channel: string, member: M): boolean
  /** The peers in a channel's room (none: an empty set). */
  members(channel: string): ReadonlySet<M>
  /** The channels with a peer in them. */
  channels(): Iterable<string>
  /** The channels a peer is in. */
  channelsOf(member: M): ReadonlySet<string>
  /** Writes a publication to the peers it is for: all, or a room's; never to `except`. */
  deliver(publication: Publication): void
}

const NONE: ReadonlySet<never> = new Set()

/**
 * Rooms as socket.io's in-memory adapter keeps them: `Map<channel, Set<peer>>`, and each peer's
 * channels beside, so a peer that leaves is taken out of its rooms without a scan of all of them.
 * An empty room is deleted.
 *
 * @example
 * ```ts
 * const rooms = createRooms<PeerConnection>()
 * rooms.add(peer)
 * rooms.join('room:42', peer)
 * rooms.deliver({ frame, channel: 'room:42', except: sender.id })
 * ```
 */
export function createRooms<M extends Member>(): Rooms<M> {
  const all = new Set<M>()
  const byChannel = new Map<string, Set<M>>()
  const channels = new Map<M, Set<string>>()

  function leave(channel: string, member: M): boolean {
    const room = byChannel.get(channel)
    if (!room?.delete(member)) return false
    if (room.size === 0) byChannel.delete(channel)
    const joined = channels.get(member)
    joined?.delete(channel)
    if (joined?.size === 0) channels.delete(member)
    return true
  }

  return {
    all,
    add(member) {
      all.add(member)
    },
    remove(member) {
      all.delete(member)
      for (const channel of channels.get(member) ?? NONE) leave(channel, member)
    },
    join(channel, member) {
      const room = byChannel.get(channel) ?? new Set()
      if (room.has(member)) return false
      byChannel.set(channel, room.add(member))
      const joined = channels.get(member) ?? new Set()
      channels.set(member, joined.add(channel))
      return true
    },
    leave,
    members: (channel) => byChannel.get(channel) ?? NONE,
    channels: () => byChannel.keys(),
    channelsOf: (member) => channels.get(member) ?? NONE,
    deliver({ frame, channel, except }) {
      const targets = channel === undefined ? all : byChannel.get(channel)
      if (!targets) return
      for (const member of targets) if (member.id !== except) member.write(frame)
    },
  }
}
