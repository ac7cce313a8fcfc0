import type { Frame, Socket } from '@lifeline/core'
import {
  ACK,
  CANCEL,
  EVENT,
  FRAME,
  type FromLeader,
  type FromTab,
  HELLO,
  STATE,
  type WireSnapshot,
  WRITE,
} from './protocol.js'
import { active, unwire, type Wired } from './sharedSnapshot.js'

/**
 * The most frames a tab has written to its leader and not seen acknowledged; the rest wait in the
 * tab. A leader that crashes may have written these without the tab hearing it: at most this many
 * of a tab's frames can arrive twice.
 */
export const IN_FLIGHT = 64

/** What a tab's follower part needs from the rest of the tab. */
export interface FollowerHost {
  /** This tab's id in the group. */
  me(): string
  /** Gives a message to the leader: this tab's own, or another over the channel. */
  toLeader(message: FromTab): void
  /** This tab's socket, whose WebSocket is the follower's tunnel. */
  socket(): Socket
  /** Whether this tab may speak to a leader: it is in the group and holds its presence lock. */
  present(): boolean
  /** The types this tab's handlers answer. */
  handled(): string[]
  /** Emits one of the tab's own events: a connection event the leader relayed. */
  emit(type: string, payload: unknown): void
  /** The connection's state changed. */
  changed(): void
}

/**
 * Every tab's side of the group, the leader's included: its socket's WebSocket is a tunnel to the
 * leader. The tab numbers the frames it writes and keeps each until a leader acknowledges it, at most
 * {@link IN_FLIGHT} written ahead; it writes them again, in order, to each new leader. It hears what
 * the leader posts ({@link FromLeader}): the connection's state, its events, the server's frames.
 */
export function follower(host: FollowerHost) {
  /** The leader this tab follows, and the last state it posted. */
  let leader = ''
  let remote: WireSnapshot | null = null
  /**
   * Frames written to the tunnel that no leader has acknowledged as written to the WebSocket; a
   * request's keeps its frame as written (`asked`), and a settled request's becomes `null`: a
   * number no leader writes anything for.
   */
  let unacked: Array<[n: number, frame: Frame | null, request?: Frame]> = []
  /** The frames of this tab's requests that await their reply; `asking` catches the one a `request()` call encodes. */
  const asked = new Set<Frame>()
  let asking: Frame | null | undefined
  let seq = 0
  let acked = 0
  /** What this tab last told its leader about itself. */
  let told = ''
  /** The last frame number written for each tab, from the acknowledgements this tab saw. */
  const seen = new Map<string, number>()
  let tunnel: Tunnel | null = null

  const live = () => active(host.socket().getSnapshot().status)
  const write = (n: number, f: Frame | null) => host.toLeader({ k: WRITE, t: host.me(), n, a: acked, f })

  /** A WebSocket for this tab's socket: open while a leader holds an open link. */
  class Tunnel {
    // Declared only: no class fields, which es2020 bundles would lower into helpers. A tunnel starts
    // connecting (`readyState` 0, or unset) and the socket sets `binaryType` itself.
    declare readyState: number
    declare binaryType: string
    declare onopen: (event: unknown) => void
    declare onclose: (event: unknown) => void
    declare onerror: (event: unknown) => void
    declare onmessage: (event: unknown) => void
    constructor() {
      tunnel = this
      queueMicrotask(sync)
    }
    send(frame: Frame) {
      unacked.push(asked.has(frame) ? [++seq, structuredClone(frame), frame] : [++seq, structuredClone(frame)])
      if (seq <= acked + IN_FLIGHT) write(seq, frame)
    }
    close() {
      this.readyState = 3
      if (tunnel === this) tunnel = null
    }
  }

  /** Opens the tunnel when the group's link is open, and drops it when the link (or the leader) goes. */
  function sync() {
    const t = tunnel
    const up = remote?.status === 'open'
    if (t && up && !t.readyState) {
      t.readyState = 1
      // What no leader has written yet goes first, in order, ahead of what the socket queued since.
      for (const [n, f] of unacked.slice(0, IN_FLIGHT)) write(n, f)
      t.onopen({})
    } else if (t?.readyState === 1 && !up) {
      // This tab's socket reports the close as the link's (unless the leader went), and reconnects
      // at once unless the connection closed for good.
      t.close()
      t.onclose(remote?.lastClose ?? { code: 1006, reason: '', wasClean: false })
      if (live()) host.socket().reconnect()
    }
  }

  /** Tells the leader this tab's counts and the types it handles, when they changed. */
  const hello = () => {
    const { queued: q, pending: p } = host.socket().getSnapshot()
    const message: FromTab = { k: HELLO, t: host.me(), q, p, h: host.handled() }
    const said = JSON.stringify(message)
    if (!host.present() || said === told) return
    told = said
    host.toLeader(message)
  }

  /** Closes this tab's socket; what no leader wrote drops, as a closed socket's queue does. */
  const shut = () => {
    const socket = host.socket()
    socket.close()
    for (const [, f] of unacked) if (f !== null) socket.sendRaw(f)
    unacked = []
  }

  /**
   * A request of this tab settled (answered, aborted, timed out, lost): if its frame is still
   * unacknowledged, no leader may write it from now on. The leader drops it if it holds it
   * unwritten; a next leader gets its number with nothing to write.
   */
  const settled = (frame: Frame) => {
    asked.delete(frame)
    for (const entry of unacked) {
      if (entry[2] !== frame) continue
      entry[1] = null
      entry[2] = undefined
      if (tunnel?.readyState === 1) host.toLeader({ k: CANCEL, t: host.me(), n: entry[0] })
    }
  }

  return {
    /** The WebSocket constructor of this tab's socket. */
    Tunnel,
    hello,
    /** The last frame number of each tab seen acknowledged: where a new leader starts. */
    seen,
    remote: () => remote,

    /** Hears the leader (the barrier aside). */
    receive(m: Exclude<FromLeader, { k: 'b' }>) {
      if (m.k === STATE) {
        if (m.t !== leader) {
          // A new leader: what went to the old one and was not written goes again, to this one.
          leader = m.t
          remote = null
          told = ''
          sync()
        }
        remote = m.s
        sync()
        if (m.s.status === 'closed') shut() // closed for good, for every tab
        hello()
        host.changed()
      } else if (m.k === EVENT) {
        if (live()) host.emit(m.e, unwire(m.v as Wired))
      } else if (m.k === FRAME) {
        if (!m.to || m.to === host.me()) tunnel?.onmessage({ data: m.f })
      } else if (m.k === ACK) {
        seen.set(m.to, m.n)
        if (m.to === host.me() && m.n > acked) {
          const before = acked
          acked = m.n
          unacked = unacked.filter(([n]) => n > m.n)
          // The frames that waited for room in flight go now, unless the tunnel is closed (the next leader gets them).
          if (tunnel?.readyState === 1) {
            for (const [n, f] of unacked) if (n > before + IN_FLIGHT && n <= acked + IN_FLIGHT) write(n, f)
          }
        }
      }
    },

    /** This tab stopped leading: until the next leader is heard, the link is gone. */
    leaderGone() {
      remote = null
      sync()
    },

    shut,

    /** This tab left the group: it follows no leader and holds nothing for one. */
    leave() {
      leader = ''
      remote = null
      unacked = []
    },

    /** Its socket encoded `frame`: the frame of the request being asked, if it is the first. */
    encoded(frame: Frame) {
      if (asking !== null) return
      asking = frame
      asked.add(frame)
    },

    /** Runs a `request()` of this tab's socket; its frame is known from then until the request settles. */
    ask<R>(request: () => Promise<R>): Promise<R> {
      const before = asking
      asking = null
      let reply: Promise<R>
      let frame: Frame | null | undefined
      try {
        reply = request()
        frame = asking
      } catch (error) {
        if (asking != null) asked.delete(asking)
        throw error
      } finally {
        asking = before
      }
      if (frame == null) return reply
      return reply.then(
        (value) => {
          settled(frame)
          return value
        },
        (error) => {
          settled(frame)
          throw error
        },
      )
    },
  }
}

/** A tab's follower part. */
export type Follower = ReturnType<typeof follower>
