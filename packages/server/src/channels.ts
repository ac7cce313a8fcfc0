import {
  type ChannelGap,
  errorReply,
  isChannelName,
  JOIN,
  type JoinReply,
  LEAVE,
  MAX_SUB_LENGTH,
  MAX_SUBS,
  type PresenceMode,
  PUBLISH,
  reply,
} from '@lifeline/core/protocol'
import { LifelineServerError } from './errors.js'
import { encode } from './frames.js'
import type { ChannelPublication, History, Position, Replay } from './history.js'
import type { MaybePromise } from './maybePromise.js'
import type { Authorize, ChannelAction } from './options.js'
import type { AnyHandler, PeerConnection, ReservedFrame } from './peer.js'
import { type PreparedFrame, prepareFrame } from './preparedFrame.js'
import type { createPresence } from './presence.js'
import { Refusal } from './responder.js'
import type { Rooms } from './rooms.js'
import type { RequestInfo } from './types.js'

/** What the channels need from their hub. */
export interface ChannelsHost {
  readonly history: History
  readonly rooms: Rooms<PeerConnection>
  readonly authorize: Authorize | null
  readonly maxChannels: number
  /** Who is in each channel; `null` when presence is off. */
  readonly presence: ReturnType<typeof createPresence> | null
  /** The most publications a join replays: the history's size. */
  readonly replayLimit: number
  /** The most bytes a peer may have unsent: a replay that would take more is a gap. */
  readonly highWaterMark: number
  /** Answers a request through the dedupe window, as every request is. */
  answer(peer: PeerConnection, request: RequestInfo & { data: unknown }, handler: AnyHandler): void
  /** A peer joined a channel, or left it. */
  emit(type: 'join' | 'leave', peer: PeerConnection, channel: string): void
  count(what: 'joins' | 'replays' | 'gaps' | 'publications' | 'unhandled'): void
  report(error: LifelineServerError): void
}

/** One peer in one channel (or on its way in). */
interface Membership {
  /** In the channel's room, and `join` emitted: not only a join under way. */
  joined: boolean
  /** The subscribers on this connection that joined and have not left (tabs sharing it): it leaves after the last. */
  subs: Set<string>
  /** Publications that arrived while a join read the history: sent after its replay. */
  held: ChannelPublication[] | null
  /** The last publication written; later ones at or below it in its epoch are skipped. */
  epoch: string
  sent: number
  /** What the last join asked to know of the members. */
  presence: PresenceMode | undefined
}

/** A peer's channels, and the join or leave under way in each (the next waits for it). */
interface PeerChannels {
  readonly memberships: Map<string, Membership>
  readonly tasks: Map<string, Promise<void>>
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isThenable = <T>(value: MaybePromise<T> | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as PromiseLike<T> | null)?.then === 'function'

/** Calls `next` with `value`, at once when it is not a promise (so the in-memory path stays synchronous). */
function then<T, R>(value: MaybePromise<T> | PromiseLike<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value)
}

/** Calls `call`; a throw becomes a rejection (or the value a promise of itself). */
function attempt<T>(call: () => MaybePromise<T> | PromiseLike<T>): MaybePromise<T> | PromiseLike<T> {
  try {
    return call()
  } catch (error) {
    return Promise.reject(error)
  }
}

const NAME_RULE = 'a channel name is a string of 1 to 256 characters'
const SINCE_RULE = 'since must be { epoch: string, offset: integer >= 0 }'
const SUB_RULE = `sub must be a string of at most ${MAX_SUB_LENGTH} characters`
const PRESENCE_RULE = "presence must be 'list' or 'count'"

/** A `$join`'s or `$leave`'s subscriber: `""` when absent, `null` when it is no valid one. */
function readSub(sub: unknown): string | null {
  if (sub === undefined) return ''
  return typeof sub === 'string' && sub.length <= MAX_SUB_LENGTH ? sub : null
}

/** A `$join`'s data, read: the channel, the position to replay from and the subscriber, or why it cannot be. */
function readJoin(data: unknown): JoinAsked | string {
  if (!isRecord(data)) return 'a $join carries { channel, since?, sub?, presence? }'
  const { channel, since, presence } = data
  if (!isChannelName(channel)) return NAME_RULE
  const sub = readSub(data.sub)
  if (sub === null) return SUB_RULE
  if (presence !== undefined && presence !== 'list' && presence !== 'count') return PRESENCE_RULE
  if (since === undefined || since === null) return { channel, since: null, sub, presence }
  if (!isRecord(since)) return SINCE_RULE
  const { epoch, offset } = since
  if (typeof epoch !== 'string' || !Number.isSafeInteger(offset) || (offset as number) < 0) return SINCE_RULE
  return { channel, since: { epoch, offset: offset as number }, sub, presence }
}

/** A `$join`, read. */
interface JoinAsked {
  channel: string
  since: Position | null
  sub: string
  presence: PresenceMode | undefined
}

/** The join reply for what the history answered. */
function joinReply(since: Position | null, replay: Replay): JoinReply {
  const { epoch, offset } = replay.top
  if (since === null) return { epoch, offset, recovered: false }
  if (replay.gap === null) return { epoch, offset, recovered: true }
  const gap: ChannelGap =
    replay.gap === 'epoch'
      ? { reason: 'epoch', from: 1, to: offset }
      : { reason: 'trimmed', from: Math.min(since.offset, offset) + 1, to: offset }
  return { epoch, offset, recovered: false, gap }
}

/**
 * The hub's channels: `$join` (with the replay of what was missed, or a gap), `$leave`,
 * `$publish`, and the delivery of every publication to the peers of this instance in the
 * channel. On one connection a join's reply comes first, then its replay, then live
 * publications after the reply's offset; those that arrive while the history is read are held
 * back and sent after the replay, without what it covered.
 */
export function createChannels(host: ChannelsHost) {
  const { history, rooms } = host
  const byPeer = new Map<PeerConnection, PeerChannels>()
  /**
   * Channels whose last append here failed: it may have numbered a publication that was neither
   * kept nor delivered, so each starts a new epoch before its next use (and every subscriber meets
   * an `epoch` gap, never a silent hole). The value is the reset under way, shared by every use
   * that waits for it; `null` until one starts.
   */
  const broken = new Map<string, Promise<void> | null>()

  /** Starts a new epoch for a broken channel (one reset for every use waiting), then calls `next`. */
  function mended<T>(channel: string, next: () => MaybePromise<T>): MaybePromise<T> {
    if (!broken.has(channel)) return next()
    let reset = broken.get(channel)
    if (!reset) {
      const started: Promise<void> = Promise.resolve(attempt(() => history.reset(channel))).then(
        () => {
          // Unless an append failed again meanwhile: then the next use resets again.
          if (broken.get(channel) === started) broken.delete(channel)
        },
        (cause: unknown) => {
          if (broken.get(channel) === started) broken.set(channel, null)
          throw cause
        },
      )
      reset = started
      broken.set(channel, reset)
    }
    return reset.then(next)
  }

  /** After an append failed: a new epoch now, or (if that fails too) before the channel's next use. */
  function breaks(channel: string) {
    broken.set(channel, null)
    Promise.resolve(mended(channel, () => undefined)).catch(() => {})
  }

  const stateOf = (peer: PeerConnection): PeerChannels => {
    let state = byPeer.get(peer)
    if (!state) {
      state = { memberships: new Map(), tasks: new Map() }
      byPeer.set(peer, state)
    }
    return state
  }

  const refuse = (peer: PeerConnection, id: string, code: string, message: string) =>
    peer.write(encode(errorReply(id, { code, message })))

  const adapterFailed = (cause: unknown, what: string) =>
    host.report(new LifelineServerError('ADAPTER_FAILED', `the history could not ${what}`, { cause }))

  /** Whether `authorize` allows it: `true` (or a promise of it); a throw or rejection is a no. */
  function allowed(peer: PeerConnection, channel: string, action: ChannelAction): MaybePromise<boolean> {
    const { authorize } = host
    if (!authorize) return true
    const answer = attempt(() => authorize(peer, channel, action))
    return isThenable(answer)
      ? Promise.resolve(answer).then(
          (yes) => yes === true,
          () => false,
        )
      : answer === true
  }

  /** Runs the channel's joins and leaves of one peer one after the other; at once when none is under way. */
  function serially(state: PeerChannels, channel: string, work: () => MaybePromise<void>) {
    const pending = state.tasks.get(channel)
    const run = (): MaybePromise<void> => {
      try {
        return work()
      } catch (cause) {
        host.report(new LifelineServerError('HANDLER_FAILED', 'a channel operation failed', { cause }))
      }
    }
    const result = pending ? pending.then(run) : run()
    if (!isThenable(result)) return
    const done = () => {
      if (state.tasks.get(channel) === task) state.tasks.delete(channel)
    }
    // Never rejects: the next join or leave of the channel runs whatever became of this one.
    const task: Promise<void> = Promise.resolve(result).then(done, (cause) => {
      host.report(new LifelineServerError('HANDLER_FAILED', 'a channel operation failed', { cause }))
      done()
    })
    state.tasks.set(channel, task)
  }

  /**
   * Writes a publication to one member: held back during a join's read, skipped when sent already.
   * `frame` is the publication's frame prepared once for every member of the fan-out.
   */
  function send(
    peer: PeerConnection,
    membership: Membership,
    publication: ChannelPublication,
    frame: string | PreparedFrame = publication.frame,
  ) {
    if (membership.held) return membership.held.push(publication)
    if (publication.epoch === membership.epoch && publication.offset <= membership.sent) return
    membership.epoch = publication.epoch
    membership.sent = publication.offset
    peer.write(frame)
  }

  /** Takes the peer out of `channel`: for good when `sub` is absent, else once that was its last subscriber. */
  function leave(peer: PeerConnection, state: PeerChannels, channel: string, sub?: string) {
    const membership = state.memberships.get(channel)
    if (!membership) return
    if (sub !== undefined) {
      membership.subs.delete(sub)
      if (membership.subs.size) return
    }
    state.memberships.delete(channel)
    if (!membership.joined) return
    rooms.leave(channel, peer)
    host.presence?.exit(peer, channel)
    host.emit('leave', peer, channel)
  }

  function join(peer: PeerConnection, id: string, { channel, since, sub, presence }: JoinAsked): MaybePromise<void> {
    if (peer.signal.aborted) return
    const state = stateOf(peer)
    let membership = state.memberships.get(channel)
    if (!membership) {
      if (state.memberships.size >= host.maxChannels) {
        return void refuse(peer, id, 'JOIN_REFUSED', `a peer is in at most ${host.maxChannels} channels`)
      }
      membership = { joined: false, subs: new Set(), held: null, epoch: '', sent: 0, presence: undefined }
      state.memberships.set(channel, membership)
    }
    if (!membership.subs.has(sub) && membership.subs.size >= MAX_SUBS) {
      return void refuse(peer, id, 'JOIN_REFUSED', `a connection has at most ${MAX_SUBS} subscribers in a channel`)
    }
    const current = membership
    return then(allowed(peer, channel, 'join'), (yes) => {
      if (peer.signal.aborted) return
      if (!yes) {
        leave(peer, state, channel)
        return void refuse(peer, id, 'JOIN_REFUSED', `not allowed to join "${channel}"`)
      }
      if (!current.joined) rooms.join(channel, peer)
      current.subs.add(sub)
      current.presence = presence
      current.held = []
      // The members are known (from the presence store) before the history is read.
      const read = attempt(() =>
        then(host.presence?.ready(channel), () =>
          mended(channel, () =>
            since === null
              ? then(history.top(channel), (top): Replay => ({ gap: null, entries: [], top }))
              : history.since(channel, since, host.replayLimit),
          ),
        ),
      )
      const answer = (read: Replay) => {
        if (peer.signal.aborted) return host.presence?.unready(channel)
        const replay = fits(peer, read) ? read : { gap: 'trimmed' as const, top: read.top }
        const data = joinReply(since, replay)
        const seen = host.presence?.enter(peer, channel, current.presence)
        const text = encode(reply(id, seen?.count === undefined ? data : { ...data, count: seen.count }))
        // The members' JSON is made once per change of them, and put in as it is: `…}}` -> `…,"members":[…]}}`.
        peer.write(seen?.list === undefined ? text : `${text.slice(0, -2)},"members":${seen.list}}}`)
        if (replay.gap === null) {
          for (const entry of replay.entries) peer.write(entry.frame)
          if (since !== null && replay.entries.length > 0) host.count('replays')
        } else host.count('gaps')
        const held = current.held ?? []
        current.held = null
        current.epoch = replay.top.epoch
        current.sent = replay.top.offset
        for (const publication of held) send(peer, current, publication)
        host.count('joins')
        if (current.joined) return
        current.joined = true
        host.emit('join', peer, channel)
      }
      const failed = (cause: unknown) => {
        host.presence?.unready(channel)
        adapterFailed(cause, `read "${channel}"`)
        const held = current.held ?? []
        current.held = null
        current.subs.delete(sub)
        if (current.subs.size) {
          // Other subscribers on this connection (tabs) stay joined: what came meanwhile is theirs.
          for (const publication of held) send(peer, current, publication)
        } else {
          if (!current.joined) rooms.leave(channel, peer)
          leave(peer, state, channel)
        }
        if (!peer.signal.aborted) refuse(peer, id, 'UNAVAILABLE', 'the channel could not be joined now')
      }
      return isThenable(read) ? Promise.resolve(read).then(answer, failed) : answer(read)
    })
  }

  /** The `$publish` handler: checks, authorizes, appends (the history fans out) and answers the position. */
  function publishFrom(peer: PeerConnection, data: unknown): MaybePromise<Position> {
    const channel = isRecord(data) ? data.channel : undefined
    if (!isRecord(data))
      throw new Refusal({ code: 'PUBLISH_REFUSED', message: 'a $publish carries { channel, data? }' })
    if (!isChannelName(channel)) throw new Refusal({ code: 'PUBLISH_REFUSED', message: NAME_RULE })
    const payload = data.data === undefined ? undefined : JSON.stringify(data.data)
    const appended = (yes: boolean): MaybePromise<Position> => {
      if (!yes) throw new Refusal({ code: 'PUBLISH_REFUSED', message: `not allowed to publish into "${channel}"` })
      return append(channel, payload)
    }
    const permission = allowed(peer, channel, 'publish')
    return isThenable(permission) ? Promise.resolve(permission).then(appended) : appended(permission)
  }

  /**
   * Appends through the history (in a new epoch first, after a failed append); a failure is
   * reported, refused as `UNAVAILABLE`, and breaks the channel's epoch.
   */
  function append(channel: string, payload: string | undefined): MaybePromise<Position> {
    const fail = (cause: unknown): never => {
      adapterFailed(cause, `append to "${channel}"`)
      throw new Refusal({ code: 'UNAVAILABLE', message: 'the publication could not be made now' })
    }
    host.count('publications')
    return guarded(channel, () => history.append(channel, payload), fail)
  }

  /** Runs an append of `channel`; a throw or rejection breaks its epoch, then goes to `fail`. */
  function guarded(
    channel: string,
    run: () => MaybePromise<Position>,
    fail: (cause: unknown) => never,
  ): MaybePromise<Position> {
    const failed = (cause: unknown): never => {
      breaks(channel)
      return fail(cause)
    }
    let position: MaybePromise<Position> | PromiseLike<Position>
    try {
      position = mended(channel, run)
    } catch (cause) {
      return failed(cause)
    }
    return isThenable(position) ? Promise.resolve(position).then((value) => value, failed) : position
  }

  /** Whether a replay's entries fit in what the peer may have unsent: a larger one is answered with a gap. */
  function fits(peer: PeerConnection, replay: Replay): boolean {
    if (replay.gap !== null) return true
    let bytes = peer.socket.bufferedAmount ?? 0
    for (const entry of replay.entries) {
      bytes += Buffer.byteLength(entry.frame)
      if (bytes > host.highWaterMark) return false
    }
    return true
  }

  function unknown(peer: PeerConnection, frame: ReservedFrame) {
    host.count('unhandled')
    if (frame.id !== undefined) {
      refuse(peer, frame.id, 'NO_HANDLER', `"${frame.type}" is not a request of the protocol`)
    }
  }

  return {
    /** A frame of the protocol's own types from a peer. */
    receive(peer: PeerConnection, frame: ReservedFrame) {
      const { type, id, data } = frame
      if (type === JOIN && id !== undefined) {
        const request = readJoin(data)
        if (typeof request === 'string') return refuse(peer, id, 'JOIN_REFUSED', request)
        const state = stateOf(peer)
        return serially(state, request.channel, () => join(peer, id, request))
      }
      if (type === PUBLISH && id !== undefined) {
        return host.answer(peer, { type, id, data }, (payload) => publishFrom(peer, payload))
      }
      if (type === LEAVE && id === undefined) {
        const channel = isRecord(data) ? data.channel : undefined
        const sub = isRecord(data) ? readSub(data.sub) : null
        if (!isChannelName(channel) || sub === null) return host.count('unhandled')
        const state = byPeer.get(peer)
        if (state) serially(state, channel, () => leave(peer, state, channel, sub))
        return
      }
      unknown(peer, frame)
    },

    /** A publication for this instance's peers in its channel (from the history). */
    deliver(publication: ChannelPublication) {
      const members = rooms.members(publication.channel)
      // Encoded and framed once for all of them, not once per peer.
      const frame = members.size > 1 ? prepareFrame(publication.frame) : publication.frame
      for (const peer of members) {
        const membership = byPeer.get(peer)?.memberships.get(publication.channel)
        if (membership) send(peer, membership, publication, frame)
      }
    },

    /** `hub.publish`: the position of the publication, once made. */
    publish(channel: string, data: unknown): Promise<Position> {
      if (!isChannelName(channel)) {
        return Promise.reject(new LifelineServerError('INVALID_OPTIONS', NAME_RULE))
      }
      let payload: string | undefined
      try {
        payload = JSON.stringify(data)
      } catch (cause) {
        return Promise.reject(
          new LifelineServerError('ENCODE_FAILED', `cannot encode the publication: ${(cause as Error).message}`, {
            cause,
          }),
        )
      }
      host.count('publications')
      return Promise.resolve(
        guarded(
          channel,
          () => history.append(channel, payload),
          (cause) => {
            throw new LifelineServerError('ADAPTER_FAILED', `the history could not append to "${channel}"`, { cause })
          },
        ),
      )
    },

    /** A peer's connection ended: it leaves every channel (`leave` for each it had joined). */
    closed(peer: PeerConnection) {
      const state = byPeer.get(peer)
      if (!state) return
      byPeer.delete(peer)
      for (const channel of [...state.memberships.keys()]) leave(peer, state, channel)
    },

    /** The channels peers of this instance are in. */
    joined: (): Iterable<string> => rooms.channels(),
    isJoined: (channel: string) => rooms.members(channel).size > 0,
  }
}
