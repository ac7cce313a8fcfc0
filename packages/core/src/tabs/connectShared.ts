import {
  type ConnectOptions,
  connect,
  type Envelope,
  type ErrorCode,
  type Frame,
  type HeartbeatOptions,
  idleSnapshot,
  jsonCodec,
  LifelineError,
  type MessageMap,
  type Snapshot,
  type Socket,
  type Status,
  type UrlOption,
  type WebSocketConstructor,
  type WebSocketLike,
} from '@lifeline/core'
import type {
  FromLeader,
  FromTab,
  TabChannel,
  TabChannelConstructor,
  TabLocks,
  TabMessage,
  WireSnapshot,
} from './protocol.js'

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

/**
 * The snapshot of a shared socket: the connection's state, and where this tab stands in its group.
 * Where tabs cannot share (no Web Locks or `BroadcastChannel`), the socket is `connect`'s and its
 * snapshot has neither field: read them as `leader ?? true` and `tabs ?? 1`.
 */
export interface SharedSnapshot extends Snapshot {
  /** Whether this tab holds the connection. */
  readonly leader?: boolean
  /** How many tabs share the connection (this one included). */
  readonly tabs?: number
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

type Hello = Extract<FromTab, { k: 'h' }>
/** An error as a tab has it, or as it travels; or any other value an event carries. */
type Wired = { code: string; message: string } | null
type Entry = [type: string, handler: (payload: never) => void, once?: boolean]

/** The events a tab emits itself (`error` also comes from its socket); every other one comes from its socket. */
const OWN = ['reconnecting', 'latency', 'state', 'error']
const noop = () => {}
const active = (status: Status) => status !== 'idle' && status !== 'closed'
const randomId = () => Math.random().toString(36).slice(2)
/**
 * The most frames a tab has written to its leader and not seen acknowledged; the rest wait in the
 * tab. A leader that crashes may have written these without the tab hearing it: at most this many
 * of a tab's frames can arrive twice.
 */
export const IN_FLIGHT = 64
/**
 * How long a leader that closes waits for its WebSocket's close handshake before it lets go of the
 * lock, in ms: a server that does not answer delays the next leader by this much at most.
 */
const CLOSE_WAIT = 1000
/** How often a leader checks its WebSocket's buffer while frames wait or are not acknowledged, in ms. */
const DRAIN_POLL = 5
/**
 * For how long after its buffer last moved a page's leader checks it at every turn of its event loop
 * (a `MessageChannel` message), in ms: a hidden tab's timers fire once a second at best, and a tab
 * that waits for acknowledgements sends nothing that would wake the leader.
 */
const DRAIN_SPIN = 50
/** The bytes a frame takes in a WebSocket's buffer (`bufferedAmount` counts text as UTF-8). */
const size = (f: Frame) => {
  if (typeof f !== 'string') return f.byteLength
  let n = f.length
  for (let i = 0; i < f.length; i++) {
    const c = f.charCodeAt(i)
    // Two bytes up to U+07FF, three beyond; a surrogate pair (two units) is four.
    if (c > 0x7f) n += c > 0x7ff && (c < 0xd800 || c > 0xdfff) ? 2 : 1
  }
  return n
}
const uncaught = (error: unknown) =>
  ((globalThis as { reportError?: (error: unknown) => void }).reportError ?? console.error)(error)
/** Resolves when `signal` aborts: holds a Web Lock until then. */
const until = (signal: AbortSignal) =>
  new Promise<unknown>((resolve) => (signal.aborted ? resolve(0) : signal.addEventListener('abort', resolve)))

/**
 * Connects once for every tab of the origin: like {@link connect}, but the tabs that use the same
 * `channel` share one WebSocket. One tab, the leader (the holder of the channel's Web Lock), holds
 * it; the others reach it over a `BroadcastChannel`. Every tab gets the whole `Socket` API: every
 * incoming message, the connection's state (with `queued` and `pending` counted over the group),
 * its own sends, requests, replies and drops. When the leader goes (closed, crashed, or
 * `close()`d), another tab takes over and connects at once; what the tabs had sent and the old
 * leader had not written is written by the new one, in order (at most 64 frames of a tab that the old
 * leader wrote in its last moments come twice); requests awaiting a reply are
 * sent again with the same id. A tab's `close()` detaches that tab; the connection closes when the
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
  // Where `pagehide` fires, and `freeze` and `resume` on its document.
  const page = typeof shared.browserEvents === 'object' ? shared.browserEvents : g
  // What is left are `connect`'s options, for this tab's socket and the leader's.
  const {
    channel = url,
    locks = g.navigator?.locks,
    BroadcastChannel: Channel = g.BroadcastChannel,
    ...options
  } = shared
  if (!locks || !Channel) return connect<In, Out, Replies>(url, options)
  const name = `lifeline:${channel}`
  const { codec = jsonCodec, heartbeat } = options

  // ---- this tab ----
  let me = ''
  let leaving = new AbortController()
  /** This tab's request for the channel's lock (the leader's), withdrawn while the tab is frozen. */
  let candidacy = leaving
  /** What the lock waits for once let go: the close of the link this tab led on. */
  let letGo: Promise<unknown> | undefined
  let present = false
  let detached = false
  let disposed = false
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
  const handlers = new Map<string, unknown>()
  const listeners = new Set<Entry>()
  let state: SharedSnapshot = idleSnapshot
  let tunnel: Tunnel | null = null
  let bus: TabChannel

  // ---- the leader's part, while this tab leads ----
  let real: Socket | null = null
  /** The real socket's WebSocket, the bytes of the tabs' frames written to it, and the frames that wait. */
  let ws: WebSocketLike | null = null
  let bytes = 0
  const tabs = new Map<string, Hello>()
  /** The last frame number taken from each tab: written, or waiting to be. */
  let accepted = seen
  /** Frames taken and not written yet (the link is down or full), in order; `null` for a request its tab gave up. */
  let waiting: Array<[tab: string, n: number, f: Frame | null]> = []
  /** Frames written and not acknowledged yet, with the byte count at their end: acknowledged once the WebSocket's buffer has let them go. */
  let written: Array<[tab: string, n: number, end: number, f: Frame | null]> = []
  let drainTimer: ReturnType<typeof setTimeout> | undefined
  /** The leader's next turn of its event loop, where there are pages; whether one is asked for; and until when to ask. */
  let turn: MessageChannel | undefined
  let turning = false
  let spinUntil = 0
  const highWaterMark = options.highWaterMark ?? 1_048_576

  const live = () => active(inner.getSnapshot().status)

  // ---- events and state ----------------------------------------------------------------

  const listen = (type: string, handler: Entry[1], once?: boolean) => {
    const entry: Entry = [type, handler, once]
    listeners.add(entry)
    return () => {
      listeners.delete(entry)
    }
  }
  /** Calls the listeners of `type`; returns whether there were any. */
  const emit = (type: string, payload: unknown): boolean => {
    let heard = false
    // A copy, so a listener added meanwhile waits for the next event; one removed meanwhile is skipped.
    for (const entry of [...listeners]) {
      if (entry[0] !== type || !listeners.has(entry)) continue
      heard = true
      if (entry[2]) listeners.delete(entry)
      try {
        entry[1](payload as never)
      } catch (cause) {
        // As a socket does: a throwing `error` or `state` handler, or one nobody hears about, is reported as uncaught.
        if (
          type === 'error' ||
          type === 'state' ||
          !emit('error', new LifelineError('HANDLER_FAILED', `${type} handler threw`, { cause }))
        )
          uncaught(cause)
      }
    }
    return heard
  }
  /** A value as it travels between tabs: an error (it has a `code`) as `{ code, message }`, anything else as it is. */
  const wire = (v: Wired) => (v?.code ? { code: v.code, message: v.message } : v)
  /** A value as it arrived from the leader: an error is a `LifelineError` again. */
  const unwire = (v: Wired) => (v?.code ? new LifelineError(v.code as ErrorCode, v.message) : v)

  /** The snapshot: the connection's, as the leader posted it, with this tab's status folded in. */
  const update = () => {
    const own = inner.getSnapshot()
    const r = active(own.status) && remote
    const next: SharedSnapshot = {
      ...(r || own),
      // Open once this tab's socket has flushed; connecting until a leader says where the link is.
      status:
        r && active(r.status) && (r.status !== 'open' || own.status === 'open')
          ? r.status
          : active(own.status)
            ? 'connecting'
            : own.status,
      lastError: own.lastError ?? (unwire((r || own).lastError) as LifelineError | null),
      leader: !!real,
      tabs: remote?.tabs ?? 1,
    }
    // A new object only when something changed (an error counts as the same while its code is).
    if (JSON.stringify(next) === JSON.stringify(state)) return
    state = Object.freeze(next)
    emit('state', state)
  }

  // ---- the tunnel: this tab's socket writes to the leader, and hears what it relays -----

  const post = (message: TabMessage) => bus.postMessage(message)
  const toLeader = (message: FromTab) => (real ? take(message) : post(message))
  /** Posts to every tab, this one included. */
  const toAll = (message: FromLeader) => {
    post(message)
    receive(message)
  }
  const write = (n: number, f: Frame | null) => toLeader({ k: 'w', t: me, n, a: acked, f })

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
    const up = !detached && remote?.status === 'open'
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
      if (live()) inner.reconnect()
    }
  }

  /** Closes this tab's socket; what no leader wrote drops, as a closed socket's queue does. */
  const shut = () => {
    inner.close()
    for (const [, f] of unacked) if (f !== null) inner.sendRaw(f)
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
      if (tunnel?.readyState === 1) toLeader({ k: 'x', t: me, n: entry[0] })
    }
  }

  /** Tells the leader this tab's counts and the types it handles, when they changed. */
  const hello = () => {
    const { queued: q, pending: p } = inner.getSnapshot()
    const message: FromTab = { k: 'h', t: me, q, p, h: [...handlers.keys()] }
    const said = JSON.stringify(message)
    if (!present || detached || said === told) return
    told = said
    toLeader(message)
  }

  /** What the leader says, to this tab. */
  const receive = (m: TabMessage) => {
    if (detached) return
    if (m.k === 'b') {
      if (m.t === me) lead()
    } else if (m.k === 's') {
      const fresh = m.t !== leader
      if (fresh) {
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
      update()
    } else if (m.k === 'e') {
      if (!live()) return
      emit(m.e, unwire(m.v as Wired))
    } else if (m.k === 'f') {
      if (!m.to || m.to === me) tunnel?.onmessage({ data: m.f })
    } else if (m.k === 'a') {
      seen.set(m.to, m.n)
      if (m.to === me && m.n > acked) {
        const before = acked
        acked = m.n
        unacked = unacked.filter(([n]) => n > m.n)
        // The frames that waited for room in flight go now, unless the tunnel is closed (the next leader gets them).
        if (tunnel?.readyState === 1) {
          for (const [n, f] of unacked) if (n > before + IN_FLIGHT && n <= acked + IN_FLIGHT) write(n, f)
        }
      }
    }
  }

  // ---- leading -------------------------------------------------------------------------

  /** The real socket's state, for every tab: its first from this tab makes this tab their leader. */
  const broadcast = () => {
    const s = (real as Socket).getSnapshot()
    if (s.status === 'closed') {
      // Closed for good: the tabs drop what they still hold.
      waiting = []
      written = []
    } else pump()
    let queued = 0
    let pending = 0
    for (const { q, p } of tabs.values()) {
      queued += q
      pending += p
    }
    toAll({
      k: 's',
      t: me,
      s: { ...s, lastError: wire(s.lastError), queued, pending, tabs: tabs.size },
    })
  }

  /** A frame from the server, for the tabs; a request the server makes goes to one tab that handles it. */
  const relay = (f: string | ArrayBuffer, message: unknown) => {
    const { id, type, re } = (message ?? {}) as Envelope
    const handles = (tab: string) => tabs.get(tab)?.h.includes(type as string)
    const to = typeof id === 'string' && re === undefined && (handles(me) ? me : [...tabs.keys()].find(handles))
    toAll(to ? { k: 'f', f, to } : { k: 'f', f })
  }

  /**
   * Acknowledges the frames the WebSocket's buffer has let go of (a crash of this tab loses what it
   * still holds; the tabs keep those frames for the next leader), and writes what waits while the
   * link is open and has room. Checks again soon while anything is left.
   */
  function pump() {
    const socket = real
    clearTimeout(drainTimer)
    drainTimer = undefined
    if (!socket || !ws) return
    const link = ws
    const buffered = () => Number(link.bufferedAmount ?? 0)
    const gone = bytes - buffered()
    const last = new Map<string, number>()
    let moved = false
    while (written.length && (written[0] as (typeof written)[0])[2] <= gone) {
      const [t, n] = written.shift() as (typeof written)[0]
      last.set(t, n)
    }
    for (const [to, n] of last) {
      moved = true
      toAll({ k: 'a', to, n })
    }
    while (waiting.length && real === socket && socket.getSnapshot().status === 'open' && buffered() <= highWaterMark) {
      const entry = waiting.shift() as (typeof waiting)[0]
      const f = entry[2]
      // The real socket has no queue: a frame it cannot write now (its link is in doubt) waits here,
      // in its place, and a frame in `written` is always in the WebSocket's buffer or past it.
      if (f !== null && socket.sendRaw(f) !== 'sent') {
        waiting.unshift(entry)
        break
      }
      if (f !== null) bytes += size(f)
      written.push([entry[0], entry[1], bytes, f])
      moved = true
    }
    if (real !== socket || !(waiting.length || written.length)) return
    const now = Date.now()
    if (moved) spinUntil = now + DRAIN_SPIN
    if (g.document && g.MessageChannel && now < spinUntil) {
      if (!turn) {
        turn = new g.MessageChannel() as MessageChannel
        turn.port1.onmessage = () => {
          turning = false
          pump()
        }
      }
      if (!turning) turn.port2.postMessage(0)
      turning = true
    } else drainTimer = setTimeout(pump, DRAIN_POLL)
  }

  /**
   * The real socket made a new WebSocket: what the old one let go of is acknowledged, and what it
   * still held (it closed with them unsent) waits to be written again, first.
   */
  const relink = (next: WebSocketLike) => {
    pump()
    waiting = [...written.map(([t, n, , f]): (typeof waiting)[0] => [t, n, f]), ...waiting]
    written = []
    bytes = 0
    ws = next
  }
  const Base = (options.WebSocket ?? g.WebSocket) as WebSocketConstructor | undefined
  /** The WebSocket constructor of the leader's socket: the one it makes is the one whose buffer the leader watches. */
  const Watched =
    Base &&
    (function Watched(url: string, protocols?: string | string[]) {
      const next = new Base(url, protocols)
      relink(next)
      return next
    } as unknown as WebSocketConstructor)

  const isPong =
    (heartbeat as HeartbeatOptions | undefined)?.isPong ??
    ((message: unknown) => !!heartbeat && (message === 'pong' || (message as Envelope | null)?.type === 'pong'))

  const lead = () => {
    const group = remote?.status
    accepted = new Map(seen)
    const socket = connect(url, {
      ...options,
      WebSocket: Watched,
      // Connect at once if the group was connected (no backoff after a failover), or this tab wants to.
      autoConnect: live() || (!!group && active(group)),
      // The tabs' frames wait in `waiting` while the link cannot take them (the tabs keep the limits).
      queue: false,
      codec: {
        encode: (message) => codec.encode(message),
        decode(frame) {
          const message = codec.decode(frame)
          // After the real socket has read it, so the tabs see it after what it caused there.
          queueMicrotask(() => {
            if (real !== socket) return
            if (!isPong(message)) relay(frame, message)
            // An event a hidden tab's timers cannot delay: a chance to acknowledge what went out.
            if (written.length) pump()
          })
          return message
        },
      },
    })
    real = socket
    // Its state goes to the tabs as theirs, and its connection events for them to emit.
    for (const e of OWN as Array<'state' | 'reconnecting' | 'latency' | 'error'>) {
      socket.on(e, (v) => {
        if (real === socket) e === 'state' ? broadcast() : toAll({ k: 'e', e, v: wire(v as Wired) })
      })
    }
    broadcast()
  }

  /**
   * This tab stops leading: its link closes and writes nothing more; the next leader writes what
   * this one did not. Returns the link it held, if any.
   */
  const resign = (code?: number, reason?: string) => {
    const socket = real
    if (socket) {
      real = null
      if (tabs.size < 2) socket.close(code, reason)
      else socket.close(1000, 'leader left')
      socket.dispose()
      tabs.clear()
      clearTimeout(drainTimer)
      turn?.port1.close()
      turn = undefined
      turning = false
      waiting = []
      written = []
      ws = null
      bytes = 0
    }
    return socket
  }

  /**
   * This tab stops leading for the others and closes its link now: its page goes for good (closed,
   * reloaded, navigated from), or the browser freezes it. A going page may still run a few tasks: a
   * frame it wrote for another tab then could reach the server while the acknowledgement never
   * reaches that tab, so it writes nothing more; its link closes before the browser lets go of the
   * lock, so the server does not see the next leader's connection open first. What this tab sends
   * from now on waits in its queue, for the next leader.
   */
  const standAside = () => {
    if (!resign()) return
    remote = null
    sync()
  }
  const hide = (event: { persisted?: boolean }) => {
    if (event.persisted) return
    bus.onmessage = null
    standAside()
  }

  /**
   * Resolves once `link` has closed, or after {@link CLOSE_WAIT}: a leader that closes lets go of
   * the lock then, so that the server sees its connection close before the next one opens.
   */
  const closing = (link: WebSocketLike | null) =>
    new Promise<unknown>((resolve) => {
      if (!link || link.readyState === 3) return resolve(0)
      // The socket detached its own handler when it closed the link (on Node's `ws`, it keeps one).
      const own = link.onclose
      link.onclose = (event: unknown) => {
        own?.(event)
        resolve(0)
      }
      setTimeout(resolve, CLOSE_WAIT)
    })

  /** What a tab asks of the leader. */
  const take = (m: FromTab) => {
    const socket = real as Socket
    const { k } = m
    if (k === 'w') {
      const { t } = m
      // A tab's frames are written in sequence, each once; a later one waits for the earlier ones to come again.
      const last = Math.max(accepted.get(t) ?? 0, m.a)
      if (m.n !== last + 1) return
      accepted.set(t, m.n)
      waiting.push([t, m.n, m.f])
      pump()
    } else if (k === 'x') {
      // A tab gave up a request: if its frame still waits, it is not written.
      for (const entry of waiting) if (entry[0] === m.t && entry[1] === m.n) entry[2] = null
    } else if (k === 'o') socket.open()
    else if (k === 'r') socket.reconnect(m)
    else if (k === 'h') {
      const { t } = m
      // A tab's presence lock is free once it has left or died.
      if (!tabs.has(t) && t !== me) {
        locks
          .request(`${name}:${t}`, {}, () => {
            if (tabs.delete(t) && real === socket) broadcast()
          })
          .catch(noop)
      }
      tabs.set(t, m)
      broadcast()
    }
  }

  const join = () => {
    me = randomId()
    detached = present = false
    // Open while the tab is in the group only: an open channel would keep a Node or Deno process alive.
    bus = new Channel(name)
    bus.onmessage = ({ data }: { data: TabMessage }) => {
      // A tab's request is for the leader; what a leader says is for every tab.
      if ('whorx'.includes(data.k)) {
        if (real) take(data as FromTab)
      } else receive(data)
    }
    leaving = new AbortController()
    const { signal } = leaving
    // This tab's presence, held while it is in the group: the leader learns it left when it is free.
    locks
      .request(`${name}:${me}`, { signal }, () => {
        present = true
        hello()
        if (live()) toLeader({ k: 'o' })
        return until(signal)
      })
      .catch(noop)
    candidate()
    // A frozen tab runs nothing: it must neither lead nor be next in line, or every tab waits for it.
    const doc = page.document
    doc?.addEventListener?.(
      'freeze',
      () => {
        standAside()
        candidacy.abort()
      },
      { signal },
    )
    doc?.addEventListener?.(
      'resume',
      () => {
        if (candidacy.signal.aborted && !detached) candidate()
      },
      { signal },
    )
  }

  /**
   * Asks for the channel's lock. Once granted, before it leads, this tab posts to itself through the
   * channel: once that arrives, so has everything the old leader posted (acknowledgements included),
   * since the channel keeps the order of what it forwards and the old leader posted before it let go.
   * The lock is held until the tab leaves or freezes; after a `close()`, until its link has closed.
   */
  const candidate = () => {
    candidacy = new AbortController()
    const { signal } = candidacy
    locks
      .request(name, { signal }, () => {
        page.addEventListener?.('pagehide', hide, { signal })
        const probe = new Channel(name)
        probe.postMessage({ k: 'b', t: me })
        probe.close()
        return until(signal).then(() => letGo)
      })
      .catch(noop)
  }

  // ---- this tab's socket -----------------------------------------------------------------

  const inner = connect<In, Out, Replies>('ws://tab.invalid/', {
    ...options,
    codec: {
      decode: (frame) => codec.decode(frame),
      encode(message) {
        const frame = codec.encode(message)
        // A request's frame, before its socket writes it.
        if (asking === null) {
          asking = frame
          asked.add(frame)
        }
        return frame
      },
    },
    WebSocket: Tunnel,
    protocols: undefined,
    onOpen: undefined,
    heartbeat: false, // the leader's socket pings the server; a tunnel needs none
    reconnect: { shouldReconnect: () => remote?.status !== 'closed' },
    connectTimeout: Infinity,
  })
  inner.on('state', () => {
    hello()
    update()
  })

  join()

  const own = (type: string) => OWN.includes(type)
  /** Listens here, on this tab's socket, or (`error`) on both. Once disposed, this tab's socket throws `DISPOSED`. */
  const subscribe = (type: string, handler: Entry[1], once?: boolean) => {
    const here = own(type) && !disposed
    const off = here ? listen(type, handler, once) : noop
    const off2 = here && type !== 'error' ? noop : inner[once ? 'once' : 'on'](type as 'error', handler as never)
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
      for (const entry of listeners)
        if (entry[0] === type && (!handler || entry[1] === handler)) listeners.delete(entry)
    },
    getSnapshot: () => state,
    subscribe: (listener) => (disposed ? noop : listen('state', () => listener())),
    send: inner.send,
    sendRaw: inner.sendRaw,
    request(type, ...args) {
      const before = asking
      asking = null
      let reply: ReturnType<typeof inner.request<typeof type>>
      let frame: Frame | null | undefined
      try {
        reply = inner.request(type, ...args)
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
      ) as typeof reply
    },
    handle(type, handler) {
      const off = inner.handle(type, handler)
      handlers.set(type, handler)
      hello()
      return () => {
        off()
        if (handlers.get(type) === handler) handlers.delete(type)
        hello()
      }
    },
    open() {
      inner.open() // throws once disposed
      if (detached) join()
      toLeader({ k: 'o' })
    },
    close(code, reason) {
      inner.close(code, reason) // checks the arguments; drops this tab's queue, rejects its requests
      if (!detached) {
        detached = true
        // A follower leaves its frames to the leader, which has them; a leader (or a tab with none) drops
        // them. Other tabs carry on with a new leader: the leader's link ends without telling them it closed.
        const link = ws
        if (resign(code, reason) || !remote) shut()
        letGo = closing(link)
        leader = ''
        remote = null
        unacked = []
        leaving.abort()
        candidacy.abort()
        bus.close()
      }
      update()
    },
    reconnect(options) {
      live() ? toLeader({ k: 'r', force: !!options?.force }) : socket.open()
    },
    dispose() {
      if (disposed) return
      socket.close()
      disposed = true
      inner.dispose()
      listeners.clear()
    },
  }
  update()
  return socket
}
