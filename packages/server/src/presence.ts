import type { PresenceFrame, PresenceMember, PresenceMode } from '@lifeline/core/protocol'
import { LifelineServerError } from './errors.js'
import type { MaybePromise } from './maybePromise.js'
import type { PeerConnection } from './peer.js'
import { prepareFrame } from './preparedFrame.js'
import { userOf } from './userLimits.js'

export type { PresenceMember, PresenceMode }

/** What a hub gives its presence store when it starts it. */
export interface PresenceHost {
  /**
   * How long, in ms, the entries of an instance that stopped renewing them (it died without a
   * goodbye) are kept before other instances take its members out.
   */
  readonly ttl: number
  /** Members joined a channel (on any instance), or left it: the store's view changed. */
  changed(channel: string, joined: PresenceMember[], left: string[]): void
  /** Reports a background failure as the hub's `error` event (`ADAPTER_FAILED`). */
  report(error: unknown): void
}

/**
 * Who is in each channel, across instances: each instance enters the users its peers bring into
 * a channel and takes them out when their last connection there has been gone for the grace
 * period; the store tells every watching instance who joined and who left. {@link memoryPresence}
 * is one process's; `redisPresence` (in `@lifeline/server/redis`) spans several, and takes out
 * the members of an instance that died once its entries expire.
 */
export interface PresenceStore {
  /** Called once, by `attach`. A rejection is reported and rejects `hub.ready`. */
  start(host: PresenceHost): MaybePromise<void>
  /** This instance has member `member.id` in `channel` (entered once until it exits). Failures are reported. */
  enter(channel: string, member: PresenceMember): void
  /** This instance no longer has member `id` in `channel`. Failures are reported. */
  exit(channel: string, id: string): void
  /** This instance wants the channel's members (`members`, `changed`); settles once they are known. Never rejects. */
  watch(channel: string): MaybePromise<void>
  /** This instance no longer wants the channel's members. */
  unwatch(channel: string): void
  /** The members of a watched channel: id to data. */
  members(channel: string): ReadonlyMap<string, unknown>
  /**
   * Stops. The members this instance holds leave `grace` ms later (unless another instance holds
   * them by then: a client that reconnected elsewhere stays a member).
   */
  close(grace: number): MaybePromise<void>
}

/** Options of presence (`attach(wss, { presence })`). */
export interface PresenceOptions {
  /**
   * How long a member stays after its last connection to a channel is gone, in ms: a reload, a
   * reconnect or a move to another instance within it is no leave and no join.
   * @default 5000
   */
  grace?: number
  /**
   * With several instances: how long an instance's entries outlive its last renewal, in ms. When
   * an instance dies without a goodbye (a crash, `kill -9`), its members leave at most
   * `ttl + ttl / 3` after (the others look every `ttl / 3`), unless they came back elsewhere.
   * @default 10_000
   */
  ttl?: number
}

/** Presence settings as the hub uses them. */
export interface PresenceSettings {
  grace: number
  ttl: number
}

/** Presence options, checked: `false` when presence is off. */
export function presenceSettings(options: PresenceOptions | false | undefined): PresenceSettings | false {
  if (options === false) return false
  if (typeof (options ?? {}) !== 'object' || options === null) {
    throw new LifelineServerError('INVALID_OPTIONS', 'presence must be an object or false')
  }
  const { grace = 5000, ttl = 10_000 } = options ?? {}
  if (!(grace >= 0 && grace <= MAX_TIMER_DELAY)) {
    throw new LifelineServerError('INVALID_OPTIONS', 'presence.grace must be ms from 0 to 2^31 - 1')
  }
  if (!(ttl >= 30 && ttl <= MAX_TIMER_DELAY)) {
    throw new LifelineServerError('INVALID_OPTIONS', 'presence.ttl must be ms from 30 to 2^31 - 1')
  }
  return { grace, ttl }
}

/** The longest delay `setTimeout` takes. */
const MAX_TIMER_DELAY = 2 ** 31 - 1
/** How often members' joins and leaves go out to `list` peers, coalesced, in ms. */
export const LIST_EVERY = 50
/** How often a changed count goes out to `count` peers, in ms: a busy room sends one count a second, not one per join. */
export const COUNT_EVERY = 1000

/** What the hub's presence needs from the hub. */
export interface PresenceHubHost {
  readonly store: PresenceStore
  readonly grace: number
  report(error: LifelineServerError): void
}

/** A user this instance has in a channel: its connections there, and the grace timer after the last went. */
interface Local {
  readonly data: unknown
  readonly peers: Set<PeerConnection>
  timer: ReturnType<typeof setTimeout> | undefined
}

/** The joins and leaves of a channel not yet sent, net of each other. */
interface Pending {
  joined: Map<string, unknown>
  left: Set<string>
  /** Joined since the last send, unknown before: its leave cancels its join. */
  fresh: Set<string>
  counted: boolean
}

/** The member id of a peer: the user its `data` names (as the dedupe scope and rate limits read it), else its own id. */
export const memberId = (peer: PeerConnection): string => userOf(peer.data) ?? peer.id

/**
 * A hub's presence: the users of this instance's peers in each channel (a user is entered once,
 * however many connections it has, and exits `grace` ms after its last one left), and the frames
 * that tell the peers which asked (`presence: 'list' | 'count'`) who joined and left, coalesced.
 */
export function createPresence(host: PresenceHubHost) {
  const { store, grace } = host
  const local = new Map<string, Map<string, Local>>()
  const listening = new Map<string, Map<PeerConnection, PresenceMode>>()
  const pending = new Map<string, Pending>()
  /**
   * Each channel's members as JSON, for the answers to `list` joins: made once per change, not
   * once per join (a room of 10,000 is about 400 kB of it).
   */
  const lists = new Map<string, string>()
  /** Joins under way per channel (between `ready` and `enter` or `unready`): its members stay watched for them. */
  const preparing = new Map<string, number>()
  const prepared = (channel: string) => {
    const left = (preparing.get(channel) ?? 1) - 1
    if (left > 0) preparing.set(channel, left)
    else preparing.delete(channel)
  }
  /** Stops watching a channel this instance has nobody in and no join under way for. */
  const forget = (channel: string) => {
    if (local.has(channel) || listening.get(channel)?.size || preparing.has(channel)) return
    listening.delete(channel)
    pending.delete(channel)
    store.unwatch(channel)
  }
  /** The member each peer was entered as, by channel: its `data` may name another user by the time it leaves. */
  const entered = new WeakMap<PeerConnection, Map<string, string>>()
  let listTimer: ReturnType<typeof setTimeout> | undefined
  let countTimer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  /** Members now: the store's, and this instance's own whose entry may be on its way. */
  function members(channel: string): Map<string, unknown> {
    const all = new Map(store.members(channel))
    for (const [id, user] of local.get(channel) ?? []) if (!all.has(id)) all.set(id, user.data)
    return all
  }

  function count(channel: string): number {
    const known = store.members(channel)
    let n = known.size
    for (const id of local.get(channel)?.keys() ?? []) if (!known.has(id)) n++
    return n
  }

  /** A peer's data as every member may be sent it: `null` (reported) when it is not JSON. */
  function shareable(peer: PeerConnection): unknown {
    try {
      JSON.stringify(peer.data)
      return peer.data
    } catch (cause) {
      host.report(
        new LifelineServerError('ENCODE_FAILED', `peer ${peer.id}'s data is not JSON: its member's data is null`, {
          cause,
        }),
      )
      return null
    }
  }

  function flush(mode: PresenceMode) {
    if (mode === 'list') listTimer = undefined
    else countTimer = undefined
    for (const [channel, change] of [...pending]) {
      const peers = listening.get(channel)
      if (mode === 'list') {
        const frame: PresenceFrame = { pr: channel }
        if (change.joined.size) frame.j = [...change.joined].map(([id, data]) => ({ id, data }))
        if (change.left.size) frame.l = [...change.left]
        change.joined = new Map()
        change.left = new Set()
        change.fresh = new Set()
        if (frame.j || frame.l) send(peers, 'list', JSON.stringify(frame))
      } else if (change.counted) {
        change.counted = false
        send(peers, 'count', JSON.stringify({ pr: channel, n: count(channel) } satisfies PresenceFrame))
      }
      if (!change.joined.size && !change.left.size && !change.counted) pending.delete(channel)
    }
  }

  function send(peers: Map<PeerConnection, PresenceMode> | undefined, mode: PresenceMode, text: string) {
    if (!peers) return
    let targets = 0
    for (const wanted of peers.values()) if (wanted === mode) targets++
    if (!targets) return
    // Encoded and framed once for all of them, not once per peer.
    const frame = targets > 1 ? prepareFrame(text) : text
    for (const [peer, wanted] of peers) if (wanted === mode) peer.write(frame)
  }

  /** The store's view changed: joins and leaves for the peers listening, coalesced. */
  function changed(channel: string, joined: PresenceMember[], left: string[]) {
    lists.delete(channel)
    const peers = listening.get(channel)
    if (!peers?.size || closed) return
    let change = pending.get(channel)
    if (!change) {
      change = { joined: new Map(), left: new Set(), fresh: new Set(), counted: false }
      pending.set(channel, change)
    }
    for (const id of left) {
      change.joined.delete(id)
      if (!change.fresh.delete(id)) change.left.add(id)
    }
    for (const { id, data } of joined) {
      if (!change.left.delete(id)) change.fresh.add(id)
      change.joined.set(id, data)
    }
    change.counted = true
    listTimer ??= setTimeout(() => flush('list'), LIST_EVERY)
    countTimer ??= setTimeout(() => flush('count'), COUNT_EVERY)
    listTimer.unref?.()
    countTimer.unref?.()
  }

  function drop(channel: string, id: string) {
    lists.delete(channel)
    const users = local.get(channel)
    users?.delete(id)
    if (users && !users.size) {
      local.delete(channel)
      forget(channel)
    }
    store.exit(channel, id)
  }

  const api = {
    changed,

    /** A peer is about to join `channel`: its members are made known before the join is answered. */
    ready(channel: string): MaybePromise<void> {
      if (closed) return
      preparing.set(channel, (preparing.get(channel) ?? 0) + 1)
      return store.watch(channel)
    },

    /** A join that `ready` prepared did not happen (its peer went, the history failed). */
    unready(channel: string) {
      prepared(channel)
      forget(channel)
    },

    /**
     * `peer` is in `channel` (its join answered): its user is a member (back within the grace
     * period: still the same member), and it is sent joins and leaves when it asked for them.
     * Returns what the join's reply says of the members.
     */
    enter(peer: PeerConnection, channel: string, mode: PresenceMode | undefined): { list?: string; count?: number } {
      if (closed) return {}
      prepared(channel)
      const id = memberId(peer)
      const ids = entered.get(peer) ?? new Map<string, string>()
      entered.set(peer, ids)
      // A rejoin as another user (its data changed): the member it was leaves as if it had gone.
      if (ids.has(channel) && ids.get(channel) !== id) api.exit(peer, channel)
      ids.set(channel, id)
      let users = local.get(channel)
      if (!users) {
        users = new Map()
        local.set(channel, users)
      }
      let user = users.get(id)
      if (!user) {
        user = { data: shareable(peer), peers: new Set(), timer: undefined }
        users.set(id, user)
        lists.delete(channel)
        store.enter(channel, { id, data: user.data })
      }
      clearTimeout(user.timer)
      user.timer = undefined
      user.peers.add(peer)
      const peers = listening.get(channel) ?? new Map<PeerConnection, PresenceMode>()
      listening.set(channel, peers)
      if (!mode) {
        peers.delete(peer)
        return {}
      }
      peers.set(peer, mode)
      if (mode === 'count') return { count: count(channel) }
      let list = lists.get(channel)
      if (list === undefined) {
        list = JSON.stringify([...members(channel)].map(([id, data]) => ({ id, data })))
        lists.set(channel, list)
      }
      return { list }
    },

    /** `peer` left `channel` (or its connection ended): its user leaves after the grace period, unless back by then. */
    exit(peer: PeerConnection, channel: string) {
      listening.get(channel)?.delete(peer)
      const ids = entered.get(peer)
      const id = ids?.get(channel)
      if (id === undefined) return
      ids?.delete(channel)
      const user = local.get(channel)?.get(id)
      if (!user?.peers.delete(peer) || user.peers.size || closed) return
      if (!grace) return drop(channel, id)
      user.timer = setTimeout(() => {
        if (!user.peers.size && local.get(channel)?.get(id) === user) drop(channel, id)
      }, grace)
      user.timer.unref?.()
    },

    /** The members of `channel` as this instance knows them (its own included). */
    members: (channel: string): PresenceMember[] => [...members(channel)].map(([id, data]) => ({ id, data })),

    /** Stops: no more frames; the store lets this instance's members go `grace` ms from now. */
    close(): MaybePromise<void> {
      closed = true
      clearTimeout(listTimer)
      clearTimeout(countTimer)
      for (const users of local.values()) for (const user of users.values()) clearTimeout(user.timer)
      return store.close(grace)
    },
  }
  return api
}
