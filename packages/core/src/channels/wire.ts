import { LifelineError } from '@lifeline/core'
import { JOIN, type JoinReply, LEAVE, type PublicationFrame } from '../protocol/channels.js'
import type { ChannelEvents, ChannelSnapshot, ChannelSocket } from './types.js'

/** What a wire subscription asks of each channel handle that shares it. */
export interface Member {
  /** The wire's snapshot changed. */
  changed(): void
  /** An event for the handle's listeners. */
  emit<K extends keyof ChannelEvents<unknown>>(type: K, ...args: Parameters<ChannelEvents<unknown>[K]>): void
  /** The subscription ended (the socket closed for good): the handle is left. */
  end(): void
}

/**
 * One channel's subscription on the wire, shared by every handle of that name on one socket. It
 * delivers each offset once and in order: duplicates are dropped, and a jump past the join's top
 * (or a new epoch) asks for a rejoin from the last position delivered, so the replay or a `gap`
 * fills it. Frames up to the top that are ahead of their turn are live ones that came before the
 * join's answer: the replay sends them again, in order.
 */
export interface Wire {
  readonly members: Set<Member>
  /** The state every member shows until it leaves. */
  snapshot: ChannelSnapshot
  /** Asks the server to join, now when the link is open (else the next `open` will). */
  join(resume: boolean): void
  /** Joins again on a new link: from the last position when `recover`, else at the top. */
  relink(): void
  /** The link went down: a joined channel is joining again. */
  lost(): void
  /** A publication of this channel arrived. */
  receive(frame: PublicationFrame): void
  /** Stops: answers and frames are ignored from now on; `$leave` goes out when `polite` and the link is open. */
  stop(polite: boolean): void
}

/**
 * This wire's subscriber id on the connection: under `connectShared` every tab joins through the
 * same connection, and the server keeps it in the channel until each of them has left.
 */
const subscriber = () => Math.random().toString(36).slice(2, 10)

export function createWire(socket: ChannelSocket, name: string, snapshot: ChannelSnapshot, recover: boolean): Wire {
  const sub = subscriber()
  /** Which join is current; an answer to an older one, or to any after `stop`, changes nothing. */
  let generation = 0
  /** The top the last join answered with: the replay brings every offset up to it. */
  let top = 0
  /** Frames that arrived while a join waits for its answer. */
  let early: PublicationFrame[] | null = null
  const members = new Set<Member>()

  const emit: Member['emit'] = (...args) => {
    for (const member of [...members]) member.emit(...args)
  }
  const set = (patch: Partial<ChannelSnapshot>) => {
    wire.snapshot = { ...wire.snapshot, ...patch }
    for (const member of [...members]) member.changed()
  }

  const answered = (reply: JoinReply, mine: number) => {
    const frames = early ?? []
    early = null
    top = reply.offset
    // A replay follows only when the answer resumes the position asked for.
    const resumed = reply.recovered && reply.epoch === wire.snapshot.epoch
    set({
      status: 'joined',
      epoch: reply.epoch,
      offset: resumed ? wire.snapshot.offset : top,
      recovered: !!reply.recovered,
      error: null,
    })
    if (reply.gap && mine === generation) emit('gap', reply.gap)
    // Frames that came before the answer: the replay, and live ones the replay also covers.
    for (const frame of frames) if (mine === generation) wire.receive(frame)
  }

  /** The socket's requests reject with LifelineErrors only. */
  const failed = (error: LifelineError) => {
    // The link went before the answer: the next link joins again.
    if (error.code === 'REQUEST_LOST') return
    early = null
    const cause = error.cause as { code?: unknown } | undefined
    const refused = error.code === 'REQUEST_FAILED' && cause?.code === 'JOIN_REFUSED'
    const reported = refused ? new LifelineError('JOIN_REFUSED', error.message, { cause }) : error
    set({ status: refused ? 'failed' : 'joining', error: reported })
    emit('error', reported)
  }

  const wire: Wire = {
    members,
    snapshot,
    join(resume) {
      const mine = ++generation
      early = []
      const { epoch, offset } = wire.snapshot
      if (socket.getSnapshot().status === 'open') {
        let reply: Promise<unknown>
        try {
          const since = resume && epoch !== null ? { epoch, offset } : undefined
          reply = socket.request(JOIN, { channel: name, since, sub }, { resend: false })
        } catch (error) {
          reply = Promise.reject(error)
        }
        reply.then(
          (data) => mine === generation && answered(data as JoinReply, mine),
          (error) => mine === generation && failed(error),
        )
      }
      if (wire.snapshot.status !== 'joining') set({ status: 'joining' })
    },
    relink() {
      if (wire.snapshot.status !== 'failed') wire.join(recover)
    },
    lost() {
      if (wire.snapshot.status === 'joined') set({ status: 'joining' })
    },
    receive(frame) {
      if (early) return void early.push(frame)
      const { status, epoch, offset } = wire.snapshot
      if (status !== 'joined') return
      // A new epoch, or a jump past the replay: something was lost on the way; the server fills it in.
      if (frame.e !== epoch || (frame.o > offset + 1 && frame.o > top)) return wire.join(true)
      // Up to the top, a frame ahead of its turn came before the join's answer: the replay brings it again.
      if (frame.o !== offset + 1) return
      set({ offset: frame.o })
      emit('message', frame.data, { epoch: frame.e, offset: frame.o })
    },
    stop(polite) {
      generation++
      early = null
      if (polite && wire.snapshot.status !== 'failed' && socket.getSnapshot().status === 'open') {
        try {
          socket.send(LEAVE, { channel: name, sub })
        } catch {
          // A full queue with `overflow: 'error'`: the server forgets the join with the link anyway.
        }
      }
    },
  }
  return wire
}
