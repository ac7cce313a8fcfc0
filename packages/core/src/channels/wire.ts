import { LifelineError } from '@lifeline/core'
import {
  type ChannelPosition,
  JOIN,
  type JoinReply,
  LEAVE,
  type PresenceFrame,
  type PresenceMember,
  type PresenceMode,
  type PublicationFrame,
} from '../protocol/channels.js'
import type { ChannelEvents, ChannelSnapshot, ChannelSocket } from './types.js'

/**
 * What a socket of `connectShared` offers the channels (found on it, not imported): the group's
 * Web Locks and its name, and messages to and from its other tabs.
 */
export interface TabGroup {
  locks: {
    request(name: string, options: { signal?: AbortSignal }, callback: () => unknown): Promise<unknown>
  }
  name: string
  post(message: GroupMessage): void
  on(listener: (message: GroupMessage) => void): () => void
}

/**
 * What the tab that follows channel `n` for the group (the holder of its lock) tells the others,
 * and they ask it: an event it emitted (`e`: its type and arguments; an error as its code and
 * message), its state (`s`, without the error), a change of members (`p`: joined, left, count,
 * and `1` when it replaces them all); `q`: a tab asks for the state (and `w`: for members too);
 * `r`: a tab took the channel over and asks what the others want of its members.
 */
export interface GroupMessage {
  n: string
  e?: [keyof ChannelEvents<unknown>, unknown, unknown?]
  s?: ChannelSnapshot
  p?: Presence
  q?: 1
  w?: PresenceMode
  r?: 1
}

/** A change of members: who joined, who left, how many they are now, and `1` when it replaces them all. */
type Presence = [PresenceMember[], string[], number?, 1?]

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
  /** What another tab of the group said about this channel. */
  heard(message: GroupMessage): void
  /** The members, as last known (none without `presence: true`). */
  people: readonly PresenceMember[]
  /** How many members there are, as last known. */
  count: number
  /** Asks for the members (or their count) from now on: joins again when that is more than asked so far. */
  want(mode: PresenceMode | undefined): void
  /** A presence frame of this channel arrived. */
  hear(frame: PresenceFrame): void
}

/** The members of a frame or a reply that are members: objects with a string `id` (anything else from the server is skipped). */
const valid = (list: unknown): PresenceMember[] =>
  Array.isArray(list) ? list.filter((one) => typeof one?.id === 'string') : []

/** A count from the server, when it is one. */
const counted = (n: unknown) => (Number.isInteger(n) && (n as number) >= 0 ? (n as number) : undefined)

/** What each presence mode asks for, in order: a count is less than the list. */
const MODES = [undefined, 'count', 'list']

/**
 * The server's refusal `code` (`JOIN_REFUSED`, `PUBLISH_REFUSED`) as an error of that code, with
 * the reply's error as its cause; any other failure as it is.
 */
export function refusal(error: LifelineError, code: 'JOIN_REFUSED' | 'PUBLISH_REFUSED'): LifelineError {
  const cause = error.cause as { code?: unknown } | undefined
  return error.code === 'REQUEST_FAILED' && cause?.code === code
    ? new LifelineError(code, error.message, { cause })
    : error
}

/**
 * This wire's subscriber id on the connection: under `connectShared` every tab joins through the
 * same connection, and the server keeps it in the channel until each of them has left.
 */
const subscriber = () => Math.random().toString(36).slice(2, 10)

/**
 * Under `connectShared`, one tab of the group follows each channel on the wire: the one holding
 * the channel's lock. It tells the other tabs what it delivers, and they deliver the same (they
 * join nothing and ignore the publication frames themselves). When it leaves or dies, the next
 * tab takes the lock and joins from the last position the group delivered, which it holds.
 */
export function createWire(
  socket: ChannelSocket,
  name: string,
  snapshot: ChannelSnapshot,
  recover: boolean,
  group?: TabGroup,
): Wire {
  const sub = subscriber()
  /** Whether this wire joins and reads the frames itself: without a group, or holding the channel's lock. */
  let owner = !group
  /** Lets go of the channel's lock; `ended` once stopped. */
  let release: (() => void) | undefined
  let ended = false
  /** Which join is current; an answer to an older one, or to any after `stop`, changes nothing. */
  let generation = 0
  /** The top the last join answered with: the replay brings every offset up to it. */
  let top = 0
  /** Frames that arrived while a join waits for its answer. */
  let early: PublicationFrame[] | null = null
  const members = new Set<Member>()
  /** What this wire asks the server of the members. */
  let mode: PresenceMode | undefined
  const people = new Map<string, PresenceMember>()
  /** Whether a list of members came already: the first one tells who is there, not who joined. */
  let listed = false

  /** Tells the group's other tabs, when this wire follows the channel for them. */
  const share = (message: Omit<GroupMessage, 'n'>) => {
    if (group && owner) group.post({ n: name, ...message })
  }
  const shareState = () => share({ s: { ...wire.snapshot, error: null } })
  const emit: Member['emit'] = (...args) => {
    const [type, value] = args
    const error = value as LifelineError
    share({ e: type === 'error' ? [type, error.code, error.message] : (args as unknown as GroupMessage['e']) })
    for (const member of [...members]) member.emit(...args)
  }
  const set = (patch: Partial<ChannelSnapshot>, quiet?: boolean) => {
    wire.snapshot = { ...wire.snapshot, ...patch }
    if (!quiet) shareState()
    for (const member of [...members]) member.changed()
  }
  /** Delivers a publication; the group's other tabs deliver it too. */
  const deliver = (data: unknown, position: ChannelPosition) => {
    set(position, true)
    emit('message', data, position)
  }

  const tell: Member['emit'] = (...args) => {
    for (const member of [...members]) member.emit(...args)
  }
  /** Applies a change of members (see {@link Presence}) and tells the handles, then the group's other tabs. */
  const present = (change: Presence) => {
    const [joined, left, count, full] = change
    share({ p: change })
    const kept = new Set(joined.map((one) => one.id))
    const gone = full ? [...people.keys()].filter((id) => !kept.has(id)) : left
    const events: Array<['join' | 'leave', PresenceMember]> = []
    for (const id of gone) {
      const one = people.get(id)
      if (one && people.delete(id)) events.push(['leave', one])
    }
    for (const one of joined) {
      if (!people.has(one.id) && (listed || !full)) events.push(['join', one])
      people.set(one.id, one)
    }
    listed ||= !!full
    wire.people = [...people.values()]
    wire.count = count ?? people.size
    for (const [type, one] of events) tell(type, one)
    tell('presence', wire.people, wire.count)
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
    if (reply.members) present([valid(reply.members), [], undefined, 1])
    else if (counted(reply.count) !== undefined) present([[], [], reply.count])
    if (reply.gap && mine === generation) emit('gap', reply.gap)
    // Frames that came before the answer: the replay, and live ones the replay also covers.
    for (const frame of frames) if (mine === generation) wire.receive(frame)
  }

  /** The socket's requests reject with LifelineErrors only. */
  const failed = (error: LifelineError) => {
    // The link went before the answer: the next link joins again.
    if (error.code === 'REQUEST_LOST') return
    early = null
    const reported = refusal(error, 'JOIN_REFUSED')
    set({ status: reported !== error ? 'failed' : 'joining', error: reported })
    emit('error', reported)
  }

  const wire: Wire = {
    members,
    snapshot,
    people: [],
    count: 0,
    want(wanted) {
      if (MODES.indexOf(wanted) <= MODES.indexOf(mode)) return
      mode = wanted
      if (wire.snapshot.status !== 'failed') wire.join(true)
    },
    hear({ j, l, n }) {
      const joined = valid(j)
      const left = Array.isArray(l) ? l.filter((id) => typeof id === 'string') : []
      if (owner && (joined.length || left.length || counted(n) !== undefined)) present([joined, left, counted(n)])
    },
    join(resume) {
      // Another tab follows the channel for this one: ask it where the channel is.
      if (!owner) return group?.post({ n: name, q: 1, w: mode })
      const mine = ++generation
      early = []
      const { epoch, offset } = wire.snapshot
      if (socket.getSnapshot().status === 'open') {
        const since = resume && epoch !== null ? { epoch, offset } : undefined
        // A request that throws (the socket was disposed) fails the join like one that rejects.
        const asked = { channel: name, since, sub, presence: mode }
        new Promise((resolve) => resolve(socket.request(JOIN, asked, { resend: false }))).then(
          (data) => mine === generation && answered(data as JoinReply, mine),
          (error) => mine === generation && failed(error),
        )
      }
      if (wire.snapshot.status !== 'joining') set({ status: 'joining' })
    },
    relink() {
      if (owner && wire.snapshot.status !== 'failed') wire.join(recover)
    },
    lost() {
      if (wire.snapshot.status === 'joined') set({ status: 'joining' })
    },
    receive(frame) {
      if (!owner) return
      if (early) return void early.push(frame)
      const { status, epoch, offset } = wire.snapshot
      if (status !== 'joined') return
      // A new epoch, or a jump past the replay: something was lost on the way; the server fills it in.
      if (frame.e !== epoch || (frame.o > offset + 1 && frame.o > top)) return wire.join(true)
      // Up to the top, a frame ahead of its turn came before the join's answer: the replay brings it again.
      if (frame.o !== offset + 1) return
      deliver(frame.data, { epoch: frame.e, offset: frame.o })
    },
    heard({ e, s, p, q, w, r }) {
      if (owner) {
        if (!q) return
        wire.want(w)
        shareState()
        return listed && share({ p: [wire.people as PresenceMember[], [], wire.count, 1] })
      }
      if (r) return mode && group?.post({ n: name, q: 1, w: mode })
      if (p) present(p)
      if (s) set(s, true)
      if (!e) return
      let [type, value, at] = e as [keyof ChannelEvents<unknown>, unknown, ChannelPosition]
      if (type === 'error') {
        value = new LifelineError(value as never, at as never)
        set({ error: value as LifelineError }, true)
      } else if (type === 'message') {
        // A publication the group delivered before this tab heard of it (a replay after a failover): once.
        if (at.epoch === wire.snapshot.epoch && at.offset <= wire.snapshot.offset) return
        set(at, true)
      }
      emit(type, value as never, at as never)
    },
    stop(polite) {
      generation++
      early = null
      if (polite && owner && wire.snapshot.status !== 'failed' && socket.getSnapshot().status === 'open') {
        try {
          socket.send(LEAVE, { channel: name, sub })
        } catch {
          // A full queue with `overflow: 'error'`: the server forgets the join with the link anyway.
        }
      }
      // The next tab of the group that follows the channel takes it over.
      ended = true
      release?.()
    },
  }
  // The tab that holds the channel's lock follows it for the group, from the position the group delivered.
  group?.locks
    .request(
      `${group.name}:channel:${name}`,
      {},
      () =>
        ended ||
        new Promise<void>((resolve) => {
          release = resolve
          owner = true
          group.post({ n: name, r: 1 })
          wire.join(true)
        }),
    )
    .catch(() => {})
  return wire
}
