import {
  type ConnectOptions,
  connect,
  type Envelope,
  type Frame,
  type HeartbeatOptions,
  jsonCodec,
  type MessageMap,
  type Socket,
  type UrlOption,
  type WebSocketConstructor,
  type WebSocketLike,
} from '@lifeline/core'
import {
  ACK,
  CANCEL,
  EVENT,
  FRAME,
  type FromLeader,
  type FromTab,
  HELLO,
  OPEN,
  RECONNECT,
  STATE,
  type WireSnapshot,
  WRITE,
} from './protocol.js'
import { active, type Wired, wire } from './sharedSnapshot.js'

/** The events of the leader's socket that every tab emits as its own. */
export const CONNECTION_EVENTS = ['state', 'reconnecting', 'latency', 'error'] as const
/** How often a leader checks its WebSocket's buffer while frames wait or are not acknowledged, in ms. */
const DRAIN_POLL = 5
/**
 * For how long after its buffer last moved a page's leader checks it at every turn of its event loop
 * (a `MessageChannel` message), in ms: a hidden tab's timers fire once a second at best, and a tab
 * that waits for acknowledgements sends nothing that would wake the leader.
 */
const DRAIN_SPIN = 50
/**
 * How long a leader that closes waits for its WebSocket's close handshake before it lets go of the
 * lock, in ms: a server that does not answer delays the next leader by this much at most.
 */
const CLOSE_WAIT = 1000

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

/**
 * Resolves once `link` has closed, or after {@link CLOSE_WAIT}: a leader that closes lets go of the
 * lock then, so that the server sees its connection close before the next one opens.
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

/** What the leader part needs from the rest of the tab. */
export interface LeaderHost {
  /** This tab's id in the group. */
  me(): string
  /** Posts to every tab, this one included. */
  toAll(message: FromLeader): void
  /** Whether this tab's own socket wants a connection. */
  live(): boolean
  /** The connection's state as this tab last heard it: a failover connects at once if it was connected. */
  remote(): WireSnapshot | null
  /** The last frame number of each tab this tab saw acknowledged: where this leader starts. */
  seen(): Map<string, number>
  /** Calls `gone` once tab `t` has left the group or died (its presence lock is free). */
  watch(t: string, gone: () => void): void
}

/**
 * The leader's part of a tab, at work while the tab holds the channel's lock: it runs the one real
 * socket, writes the tabs' frames to it in each tab's order (`WRITE`), acknowledges each once the
 * WebSocket's buffer has let it go (`ACK`), and posts the connection's state, events and incoming
 * frames to every tab ({@link FromLeader}).
 */
export function leader<In extends MessageMap<In>, Out>(
  url: UrlOption,
  options: ConnectOptions<In, Out>,
  host: LeaderHost,
) {
  // biome-ignore lint/suspicious/noExplicitAny: browser globals, looked up at call time.
  const g = globalThis as any
  const { codec = jsonCodec, heartbeat, highWaterMark = 1_048_576 } = options
  let real: Socket | null = null
  /** The real socket's WebSocket, and the bytes of the tabs' frames written to it. */
  let ws: WebSocketLike | null = null
  let bytes = 0
  /** The tabs in the group, as each last said hello. */
  const tabs = new Map<string, Extract<FromTab, { k: typeof HELLO }>>()
  /** The last frame number taken from each tab: written, or waiting to be. */
  let accepted = new Map<string, number>()
  /** Frames taken and not written yet (the link is down, full or in doubt), in order; `null` for a request its tab gave up. */
  let waiting: Array<[tab: string, n: number, f: Frame | null]> = []
  /** Frames written and not acknowledged yet, with the byte count at their end: acknowledged once the WebSocket's buffer has let them go. */
  let written: Array<[tab: string, n: number, end: number, f: Frame | null]> = []
  let drainTimer: ReturnType<typeof setTimeout> | undefined
  /** The leader's next turn of its event loop, where there are pages; whether one is asked for; and until when to ask. */
  let turn: MessageChannel | undefined
  let turning = false
  let spinUntil = 0

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
    host.toAll({
      k: STATE,
      t: host.me(),
      s: { ...s, lastError: wire(s.lastError), queued, pending, tabs: tabs.size },
    })
  }

  /** A frame from the server, for the tabs; a request the server makes goes to one tab that handles it. */
  const relay = (f: string | ArrayBuffer, message: unknown) => {
    const { id, type, re } = (message ?? {}) as Envelope
    const me = host.me()
    const handles = (tab: string) => tabs.get(tab)?.h.includes(type as string)
    const to = typeof id === 'string' && re === undefined && (handles(me) ? me : [...tabs.keys()].find(handles))
    host.toAll(to ? { k: FRAME, f, to } : { k: FRAME, f })
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
      host.toAll({ k: ACK, to, n })
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

  return {
    leading: () => !!real,

    /** This tab takes the lead: it connects at once if the group was connected, or this tab wants to. */
    lead() {
      const group = host.remote()?.status
      accepted = new Map(host.seen())
      const socket = connect(url, {
        ...options,
        WebSocket: Watched,
        autoConnect: host.live() || (!!group && active(group)),
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
      for (const e of CONNECTION_EVENTS) {
        socket.on(e, (v) => {
          if (real === socket) e === 'state' ? broadcast() : host.toAll({ k: EVENT, e, v: wire(v as Wired) })
        })
      }
      broadcast()
    },

    /** What a tab asks of the leader. */
    take(m: FromTab) {
      const socket = real as Socket
      if (m.k === WRITE) {
        const { t } = m
        // A tab's frames are written in sequence, each once; a later one waits for the earlier ones to come again.
        const last = Math.max(accepted.get(t) ?? 0, m.a)
        if (m.n !== last + 1) return
        accepted.set(t, m.n)
        waiting.push([t, m.n, m.f])
        pump()
      } else if (m.k === CANCEL) {
        // A tab gave up a request: if its frame still waits, it is not written.
        for (const entry of waiting) if (entry[0] === m.t && entry[1] === m.n) entry[2] = null
      } else if (m.k === OPEN) socket.open()
      else if (m.k === RECONNECT) socket.reconnect(m)
      else if (m.k === HELLO) {
        const { t } = m
        if (!tabs.has(t) && t !== host.me()) {
          host.watch(t, () => {
            if (tabs.delete(t) && real === socket) broadcast()
          })
        }
        tabs.set(t, m)
        broadcast()
      }
    },

    /**
     * This tab stops leading: its link closes and writes nothing more; the next leader writes what
     * this one did not. Returns, if it led, a promise that resolves once its link has closed.
     */
    resign(code?: number, reason?: string): Promise<unknown> | undefined {
      const socket = real
      if (!socket) return
      const link = ws
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
      return closing(link)
    },
  }
}

/** A tab's leader part. */
export type Leader = ReturnType<typeof leader>
