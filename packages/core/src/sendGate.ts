import { after, type Timer } from './clock.js'
import { isOpen, type WebSocketLike } from './environment.js'
import type { Heartbeat } from './heartbeat.js'
import type { Link } from './link.js'
import type { Writer } from './outbox.js'
import type { Status } from './types.js'

/** How often a congested link's buffer is checked, in ms. */
const DRAIN_POLL = 20

/** What the send gate asks of its socket. */
export interface SendGateHost {
  readonly link: Link
  readonly heartbeat: Heartbeat | null
  /** Bytes the link may hold unsent before sends wait in the queue (`highWaterMark`). */
  readonly highWaterMark: number
  status(): Status
  /** The number of messages waiting in the queue. */
  queued(): number
  /** Writes the queue to `link`, oldest first, while `room()` says it can take more. */
  flush(link: Writer, room: () => boolean): void
  /** Wraps a callback so the events it causes go out when it returns. */
  atomic(fn: () => void): () => void
}

/** Decides whether a send goes to the link now or waits in the queue; see {@link createSendGate}. */
export interface SendGate {
  /** The link a send may be written to now, or `null` when it must wait in the queue. */
  writable(): Writer | null
  /** Writes what waits in the queue while the link has room, and keeps checking for the rest. */
  write(): void
  /** Like {@link SendGate.write}, when the link is open and not in doubt. */
  drain(): void
  /**
   * Holds sends until the link shows it is alive: within one turn of I/O, or with `probe` (a
   * network change), within a probe's wait after a ping.
   */
  doubt(probe?: boolean): void
  /** Something arrived: a link in doubt is alive, and what was held back goes out, in order. */
  answered(): void
  /** Runs `fn` with the sends of the link of `generation` going ahead of the queue (`onOpen`'s). */
  first<R>(generation: number, fn: () => R): R
  /** The link is gone: nothing is in doubt or draining any more. */
  reset(): void
}

/**
 * The way from `send` to the link. A send is written at once only when the link is open, the
 * queue is empty and the link is not in doubt; otherwise it waits in the queue, so that order
 * holds. Exceptions and holds:
 * - `onOpen`'s own sends go first, ahead of the queue, before the link counts as open;
 * - a link in doubt (a network change, a heartbeat deadline that passed unnoticed) holds every
 *   send until it answers, so none vanishes into a dead socket;
 * - a link whose buffer is over `highWaterMark` holds sends until it drains: there is no drain
 *   event, so the buffer is polled.
 */
export function createSendGate(host: SendGateHost): SendGate {
  const { link, heartbeat } = host
  let linkInDoubt = false
  /** The generation whose `onOpen` is sending: its sends skip the queue. */
  let onOpenGeneration = 0
  /** Polls a congested link until its buffer has room again. */
  let drainTimer: Timer | undefined

  /** Whether the link's send buffer is under the high-water mark. */
  const room = (ws: WebSocketLike) => !(Number(ws.bufferedAmount) > host.highWaterMark)
  const write = () => {
    const ws = link.ws as WebSocketLike
    host.flush(link, () => room(ws))
    if (host.queued()) drainLater()
  }
  const drain = () => {
    if (link.ws && host.status() === 'open' && !linkInDoubt) write()
  }
  const drainLater = () => {
    drainTimer ??= after(
      host.atomic(() => {
        drainTimer = undefined
        drain()
      }),
      DRAIN_POLL,
    )
  }
  const doubt = (probe?: boolean) => {
    linkInDoubt = true
    if (probe) heartbeat?.probe()
    else heartbeat?.verify()
  }

  return {
    writable() {
      const ws = link.ws
      if (!ws || !isOpen(ws)) return null
      // Until the queue has drained, only `onOpen`'s own sends skip it.
      if (onOpenGeneration !== link.generation && (host.status() !== 'open' || linkInDoubt || host.queued())) {
        return null
      }
      if (heartbeat?.expired()) {
        // The deadline passed unnoticed (a throttled timer, a stalled loop): keep the message and check the link.
        doubt()
        return null
      }
      if (room(ws)) return link
      drainLater()
      return null
    },
    write,
    drain,
    doubt,
    answered() {
      if (!linkInDoubt || !link.ws || host.status() !== 'open') return
      linkInDoubt = false
      write()
    },
    first(generation, fn) {
      const before = onOpenGeneration
      onOpenGeneration = generation
      try {
        return fn()
      } finally {
        onOpenGeneration = before
      }
    },
    reset() {
      linkInDoubt = false
      clearTimeout(drainTimer)
      drainTimer = undefined
    },
  }
}
