import {
  type ConnectOptions,
  connect,
  idleSnapshot,
  jsonCodec,
  type MessageMap,
  type Socket,
  type UrlOption,
} from '@lifeline/core'
import { follower } from './follower.js'
import { CONNECTION_EVENTS, leader } from './leader.js'
import { type Membership, membership, type TabPage } from './membership.js'
import {
  BARRIER,
  CHANNELS,
  FOR_LEADER,
  type FromLeader,
  type FromTab,
  OPEN,
  RECONNECT,
  type TabChannelConstructor,
  type TabLocks,
  type TabMessage,
} from './protocol.js'
import { active, type SharedSnapshot, sharedSnapshot } from './sharedSnapshot.js'
import { type Listener, tabEvents } from './tabEvents.js'

export type { SharedSnapshot } from './sharedSnapshot.js'

/**
 * Options of {@link connectShared}: those of `connect`, plus the name of the group of tabs.
 *
 * @typeParam In - incoming message types, as `{ type: payload }`.
 * @typeParam Out - outgoing message types, as `{ type: payload }`.
 */
export interface SharedOptions<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>>
  extends ConnectOptions<In, Out> {
  /**
   * Names the group of tabs (and workers) of this origin that share one connection: one Web Lock
   * and one `BroadcastChannel` per name. Required when `url` is a function.
   * @default the URL, resolved against the page
   */
  channel?: string
  /**
   * The Web Locks API, for tests and unusual hosts.
   * @default navigator.locks
   */
  locks?: TabLocks
  /**
   * The `BroadcastChannel` constructor, for tests and unusual hosts.
   * @default globalThis.BroadcastChannel
   */
  BroadcastChannel?: TabChannelConstructor
}

/** A {@link Socket} whose connection is shared by the tabs of a channel. Made by {@link connectShared}. */
export interface SharedSocket<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
> extends Socket<In, Out, Replies> {
  /** The current state, with {@link SharedSnapshot.leader} and {@link SharedSnapshot.tabs}. */
  getSnapshot: () => SharedSnapshot
}

/**
 * Connects once for every tab of the origin: like {@link connect}, but the tabs that use the same
 * `channel` share one WebSocket. One tab, the leader (the holder of the channel's Web Lock), holds
 * it; the others reach it over a `BroadcastChannel`. Every tab gets the whole `Socket` API: every
 * incoming message, the connection's state (with `queued` and `pending` counted over the group),
 * its own sends, requests, replies and drops. When the leader goes (closed, crashed, or
 * `close()`d), another tab takes over and connects at once; what the tabs had sent and the old
 * leader had not written is written by the new one, in order (after a crash, at most 64 frames of a tab
 * that the old leader wrote in its last moments come twice); requests awaiting a reply are sent
 * again with the same id, and a request that settled in its tab (aborted, timed out) is not sent. A tab's `close()` detaches that tab; the connection closes when the
 * last tab leaves. Where Web Locks or `BroadcastChannel` are missing (Node, old browsers), it is
 * `connect`.
 *
 * How: every tab runs its own socket (`connect`) whose WebSocket is a tunnel to the leader, so each
 * tab's queue, requests, `ttl` and drops are exactly those of a socket of its own. The leader runs
 * one more socket, the real one, and writes the tabs' frames to it, each tab's in order and once
 * (it acknowledges what its WebSocket's buffer let go of; a tab keeps a frame until then and
 * writes it again to the next leader). See `protocol.ts` for the messages.
 *
 * @param url - as for `connect`; a function should come with `channel`.
 * @param shared - `connect`'s options, and `channel`.
 * @throws `INVALID_URL`, `INVALID_OPTIONS` as `connect` does.
 * @typeParam In - incoming message types, as `{ type: payload }`.
 * @typeParam Out - outgoing message types, as `{ type: payload }`.
 * @typeParam Replies - reply types of requests, keyed by the outgoing type asked.
 * @example
 * ```ts
 * import { connectShared } from '@lifeline/core/tabs'
 *
 * const socket = connectShared<Incoming, Outgoing>('/live', { heartbeat: true })
 * socket.on('chat', (msg) => render(msg))
 * socket.subscribe(() => console.log(socket.getSnapshot().leader, socket.getSnapshot().tabs))
 * ```
 */
export function connectShared<
  In extends MessageMap<In> = Record<string, unknown>,
  Out = Record<string, unknown>,
  Replies = {},
>(url: UrlOption, shared: SharedOptions<In, Out> = {}): SharedSocket<In, Out, Replies> {
  // biome-ignore lint/suspicious/noExplicitAny: browser globals, looked up at call time.
  const g = globalThis as any
  // What is left are `connect`'s options, for this tab's socket and the leader's.
  const {
    channel = url,
    locks = g.navigator?.locks,
    BroadcastChannel: Channel = g.BroadcastChannel,
    ...options
  } = shared
  if (!locks || !Channel) return connect<In, Out, Replies>(url, options)
  const name = `lifeline:${channel}`
  const { codec = jsonCodec } = options
  // Where `pagehide` fires, and `freeze` and `resume` on its document.
  const page: TabPage = typeof options.browserEvents === 'object' ? options.browserEvents : g
  const events = tabEvents()
  const handlers = new Map<string, unknown>()
  /** This tab in the group; `null` once it left (`close()`), until `open()`. */
  let group: Membership | null = null
  let disposed = false

  const me = () => group?.me ?? ''
  const live = () => active(inner.getSnapshot().status)
  const toLeader = (message: FromTab) => (lead.leading() ? lead.take(message) : group?.post(message))
  /** What a tab posted, or this tab's leader part to every tab, this one included. */
  const heard = (m: TabMessage) => {
    if (!group) return
    if (FOR_LEADER.includes(m.k)) {
      if (lead.leading()) lead.take(m as FromTab)
    } else if (m.k === BARRIER) {
      if (m.t === group.me) lead.lead()
    } else if (m.k === CHANNELS) events.emit(CHANNELS, m.d)
    else tab.receive(m as Exclude<FromLeader, { k: typeof BARRIER }>)
  }

  const tab = follower({
    me,
    toLeader,
    socket: () => inner,
    present: () => !!group?.present,
    handled: () => [...handlers.keys()],
    emit: events.emit,
    changed: () => update(),
  })
  const lead = leader(url, options, {
    me,
    toAll(message) {
      group?.post(message)
      heard(message)
    },
    live,
    remote: tab.remote,
    seen: () => tab.seen,
    watch: (t, gone) => void locks.request(`${name}:${t}`, {}, gone).catch(() => {}),
  })
  let state: SharedSnapshot = idleSnapshot
  /** Makes the snapshot again: a new object, and a `state` event, only when something in it changed. */
  const update = () => {
    const next = sharedSnapshot(inner.getSnapshot(), tab.remote(), lead.leading())
    // An error counts as the same while its code is.
    if (JSON.stringify(next) === JSON.stringify(state)) return
    state = Object.freeze(next)
    events.emit('state', state)
  }

  const enter = () => {
    group = membership(name, locks, Channel, page, {
      heard,
      present() {
        tab.hello()
        if (live()) toLeader({ k: OPEN })
      },
      standAside() {
        if (lead.resign()) tab.leaderGone()
      },
    })
  }

  // This tab's socket: its WebSocket is the follower's tunnel to the leader.
  const inner = connect<In, Out, Replies>('ws://tab.invalid/', {
    ...options,
    codec: {
      decode: (frame) => codec.decode(frame),
      encode(message) {
        const frame = codec.encode(message)
        tab.encoded(frame)
        return frame
      },
    },
    WebSocket: tab.Tunnel,
    protocols: undefined,
    onOpen: undefined,
    auth: undefined, // the leader's socket authenticates; a tunnel has no server to
    heartbeat: false, // the leader's socket pings the server; a tunnel needs none
    reconnect: { shouldReconnect: () => tab.remote()?.status !== 'closed' },
    connectTimeout: Infinity,
  })
  inner.on('state', () => {
    tab.hello()
    update()
  })

  enter()

  const own = (type: string) => (CONNECTION_EVENTS as readonly string[]).includes(type)
  /** Listens here, on this tab's socket, or (`error`) on both. Once disposed, this tab's socket throws `DISPOSED`. */
  const subscribe = (type: string, handler: Listener[1], once?: boolean) => {
    const here = own(type) && !disposed
    const off = here ? events.on(type, handler, once) : () => {}
    const off2 = here && type !== 'error' ? () => {} : inner[once ? 'once' : 'on'](type as 'error', handler as never)
    return () => {
      off()
      off2()
    }
  }

  const socket: SharedSocket<In, Out, Replies> = {
    on: (type, handler) => subscribe(type, handler),
    once: (type, handler) => subscribe(type, handler, true),
    off(type, handler) {
      if (!own(type) || type === 'error') inner.off(type, handler)
      events.off(type, handler)
    },
    getSnapshot: () => state,
    subscribe: (listener) => (disposed ? () => {} : events.on('state', () => listener())),
    send: inner.send,
    sendRaw: inner.sendRaw,
    request: (type, ...args) => tab.ask(() => inner.request(type, ...args)),
    handle(type, handler) {
      const off = inner.handle(type, handler)
      handlers.set(type, handler)
      tab.hello()
      return () => {
        off()
        if (handlers.get(type) === handler) handlers.delete(type)
        tab.hello()
      }
    },
    open() {
      inner.open() // throws once disposed
      if (!group) enter()
      toLeader({ k: OPEN })
    },
    close(code, reason) {
      inner.close(code, reason) // checks the arguments; drops this tab's queue, rejects its requests
      if (group) {
        // A follower leaves its frames to the leader, which has them; a leader (or a tab with none) drops
        // them. Other tabs carry on with a new leader: the leader's link ends without telling them it closed.
        const closed = lead.resign(code, reason)
        if (closed || !tab.remote()) tab.shut()
        tab.leave()
        group.leave(closed)
        group = null
      }
      update()
    },
    reconnect(options) {
      live() ? toLeader({ k: RECONNECT, force: !!options?.force }) : socket.open()
    },
    dispose() {
      if (disposed) return
      socket.close()
      disposed = true
      inner.dispose()
      events.clear()
    },
  }
  // What `@lifeline/core/channels` finds here (without importing this entry): the group's locks, and
  // messages to and from its other tabs, so that one tab of the group follows each channel for all.
  ;(socket as unknown as Record<symbol, unknown>)[Symbol.for('lifeline.tabs')] = {
    locks,
    name,
    post: (d: unknown) => group?.post({ k: CHANNELS, d }),
    on: (listener: (d: unknown) => void) => events.on(CHANNELS, listener),
  }
  update()
  return socket
}
