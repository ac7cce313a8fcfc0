import type { Frame, Snapshot } from '@lifeline/core'

/**
 * What the tabs of one channel say to each other over their `BroadcastChannel`. Every message
 * names its sender in `t` (a tab id, fresh each time a tab joins). Keys are short: the code
 * ships to browsers.
 *
 * The leader (the tab holding the channel's Web Lock) holds the one WebSocket. Every other tab
 * runs its own socket over a tunnel to it: the tab's socket keeps its queue, requests, ttl and
 * drops exactly as a socket of its own would, and writes frames to the tunnel; the leader writes
 * them to the WebSocket and says which its buffer let go of (`ACK`). A tab keeps every frame until
 * then, so a frame the leader never got out (it died, or the link dropped first) is written again,
 * to the next leader, in order; the leader accepts a tab's frames only in sequence. A tab has at
 * most 64 frames written and not acknowledged, so at most 64 can go out twice; a request the tab
 * gave up meanwhile goes to the next leader as its number alone. A leader whose page goes
 * (`pagehide`) or freezes stops hearing the channel and writing for the other tabs at once: what a
 * going page posts may be lost while what it writes goes out.
 */
export type TabMessage = FromLeader | FromTab | { k: typeof CHANNELS; d: unknown }

/** The connection's snapshot as it travels: the error as `{ code, message }`, counts for the group. */
export type WireSnapshot = Omit<Snapshot, 'lastError'> & {
  lastError: { code: string; message: string } | null
  /** Tabs sharing the connection. */
  tabs: number
}

// The kinds of message, each one letter on the wire. Posted by the leader:
/** The connection's state. */
export const STATE = 's'
/** A connection event. */
export const EVENT = 'e'
/** A frame from the server. */
export const FRAME = 'f'
/** Frames a tab wrote have left the WebSocket's buffer. */
export const ACK = 'a'
/** A tab about to lead, to itself. */
export const BARRIER = 'b'
// Posted by a tab, for the leader:
/** This tab's counts and handlers. */
export const HELLO = 'h'
/** One of this tab's frames, to write. */
export const WRITE = 'w'
/** Open the connection. */
export const OPEN = 'o'
/** Reconnect now. */
export const RECONNECT = 'r'
/** This tab gave up a request. */
export const CANCEL = 'x'
/** The kinds a tab posts for the leader. */
export const FOR_LEADER = HELLO + WRITE + OPEN + RECONNECT + CANCEL
// Posted by any tab, for the others:
/** What `@lifeline/core/channels` says to the other tabs (see `channels/wire.ts`). */
export const CHANNELS = 'c'

/** Posted by the leader, to every tab. */
export type FromLeader =
  /**
   * The connection's state, with `queued` and `pending` summed over the group. The first from a
   * tab announces it as the new leader: tabs say hello to it, and write to it what it has not
   * acknowledged.
   */
  | { k: typeof STATE; t: string; s: WireSnapshot }
  /** A connection event, for every tab to emit. */
  | { k: typeof EVENT; e: 'reconnecting' | 'latency' | 'error'; v: unknown }
  /** A frame from the server; `to` names the one tab that handles it (a request the server made). */
  | { k: typeof FRAME; f: string | ArrayBuffer; to?: string }
  /** Tab `to`'s frames up to number `n` have left the WebSocket's buffer. */
  | { k: typeof ACK; to: string; n: number }
  /** A tab about to lead checks that everything posted before has reached it. */
  | { k: typeof BARRIER; t: string }

/** Posted by a tab, for the leader. */
export type FromTab =
  /** Hello, and whenever they change: this tab's queued and pending counts and the types it handles. */
  | { k: typeof HELLO; t: string; q: number; p: number; h: string[] }
  /**
   * Write frame number `n` of this tab; `a` is the last number the tab has seen acknowledged. `f`
   * is `null` for a request the tab gave up (aborted, timed out): its number, and nothing to write.
   */
  | { k: typeof WRITE; t: string; n: number; a: number; f: Frame | null }
  /** This tab gave up the request in its frame `n`: not to be written if it still waits. */
  | { k: typeof CANCEL; t: string; n: number }
  /** Open the connection (a tab called `open()`). */
  | { k: typeof OPEN }
  /** Reconnect now (a tab called `reconnect()`). */
  | { k: typeof RECONNECT; force: boolean }

/** The part of the Web Locks API the tabs use (`navigator.locks`). */
export interface TabLocks {
  /** Requests the lock `name`; it is held until the promise `callback` returns settles. */
  request(
    name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean },
    // biome-ignore lint/suspicious/noExplicitAny: the DOM's Lock, or a test double's.
    callback: (lock: any) => unknown,
  ): Promise<unknown>
}

/** The part of a `BroadcastChannel` the tabs use. */
export interface TabChannel {
  /** Sends a structured clone of `message` to every other channel of the same name. */
  postMessage(message: unknown): void
  /** Called with `{ data }` for every message another channel of the name posted. */
  // biome-ignore lint/suspicious/noExplicitAny: the DOM's MessageEvent, or a test double's.
  onmessage: ((event: any) => void) | null
  /** Stops sending and receiving. */
  close(): void
}

/** A `BroadcastChannel` constructor. */
export type TabChannelConstructor = new (name: string) => TabChannel
