import { after, type Timer } from './clock.js'

/**
 * How long a probe (after `offline` or `online`) waits for an answer, in ms, when the heartbeat's
 * `timeout` is longer: the browser said the network changed, so a link that stays silent this
 * long is replaced without waiting for the full timeout.
 */
export const PROBE_TIMEOUT = 2000

/** How Lifeline notices a dead link. */
export interface HeartbeatOptions {
  /**
   * Silence, in ms, after which a ping is sent.
   * @default 25_000
   */
  interval?: number
  /**
   * How long to wait for any incoming message after a ping, in ms, before the link counts as dead.
   * @default 10_000
   */
  timeout?: number
  /**
   * Builds the ping: a message handed to the codec like `send`'s, or a string or binary frame
   * sent as it is (e.g. `() => 'ping'` with `rawCodec`).
   * @default () => ({ type: 'ping' })
   */
  ping?: () => unknown
  /**
   * Recognises the pong among decoded messages; pongs are not delivered to handlers.
   * @default (message) => message is `{ type: 'pong' }` or the frame `'pong'`
   */
  isPong?: (message: unknown) => boolean
}

/** Heartbeat settings with defaults applied. */
export type HeartbeatSettings = Required<HeartbeatOptions>

/** What the heartbeat asks of its socket. */
export interface HeartbeatHost {
  /** The socket's monotonic clock. */
  now(): number
  /** Send a ping now. */
  ping(): void
  /** The link is dead: nothing came back in time. */
  dead(): void
}

/** Watches one link at a time; see {@link createHeartbeat}. */
export interface Heartbeat {
  /**
   * Starts watching a link that has just opened, with the settings given now (none: it stays
   * off, and every other method does nothing until the next start).
   */
  start(settings: HeartbeatSettings | null): void
  /** Whether it watches a link. */
  running(): boolean
  /** Stops watching; clears the timer. */
  stop(): void
  /** Notes incoming traffic (called for every frame, so it stays cheap). */
  received(): void
  /** Notes a pong; returns the round trip in ms, or `null` if no ping was outstanding. */
  pong(): number | null
  /**
   * Pings now, unless a ping is awaited already, and checks for an answer within
   * {@link PROBE_TIMEOUT} (or `timeout`, if shorter).
   */
  probe(): void
  /** Whether the deadline has passed, whether or not a timer noticed. */
  expired(): boolean
  /** Declares the link dead after one turn of I/O unless something arrives in it. */
  verify(): void
}

/**
 * Pings after every `interval` of silence and drops the link when nothing at all comes back
 * within `timeout` of a ping. Deadlines are read from the clock, not counted in timer firings,
 * so a throttled background tab cannot make a live link look dead and a dead link is seen on
 * the next check however late the timer fires; a check that finds its deadline passed gives
 * pending I/O one turn before it declares the link dead. Only incoming traffic counts as life.
 */
export function createHeartbeat(host: HeartbeatHost): Heartbeat {
  let interval = 0
  let timeout = 0
  let running = false
  let lastIncoming = 0
  let pingedAt: number | null = null
  /** A ping (or a verification) is outstanding until `deadline`. */
  let awaiting = false
  let deadline = 0
  let graceTaken = false
  let timer: Timer | undefined

  const schedule = (ms: number) => {
    clearTimeout(timer)
    timer = after(check, ms)
  }
  const await_ = (until: number) => {
    awaiting = true
    deadline = until
    graceTaken = false
  }
  const ping = (wait = timeout) => {
    pingedAt = host.now()
    await_(pingedAt + wait)
    schedule(wait)
    host.ping()
  }
  function check() {
    const now = host.now()
    if (!awaiting) {
      const silence = now - lastIncoming
      return silence < interval ? schedule(interval - silence) : ping()
    }
    if (now < deadline) return schedule(deadline - now)
    if (graceTaken) return host.dead()
    graceTaken = true
    schedule(0)
  }

  const stop = () => {
    clearTimeout(timer)
    pingedAt = null
    running = awaiting = false
  }

  return {
    start(settings) {
      stop()
      if (!settings) return
      ;({ interval, timeout } = settings)
      running = true
      lastIncoming = host.now()
      schedule(interval)
    },
    running: () => running,
    stop,
    received() {
      lastIncoming = host.now()
      if (!awaiting) return
      // The link answered: the next ping is due after `interval` of silence from now.
      awaiting = false
      schedule(interval)
    },
    pong() {
      // Whole milliseconds: the monotonic clock's fractions are noise at this scale.
      const latency = pingedAt === null ? null : Math.round(host.now() - pingedAt)
      pingedAt = null
      return latency
    },
    probe() {
      if (!running) return
      const wait = Math.min(timeout, PROBE_TIMEOUT)
      if (!awaiting) return ping(wait)
      // A ping is out already: its answer is now wanted as soon as a probe's would be.
      const now = host.now()
      if (now + wait < deadline) {
        deadline = now + wait
        schedule(wait)
      }
    },
    expired() {
      return running && host.now() >= (awaiting ? deadline : lastIncoming + interval + timeout)
    },
    verify() {
      if (!running) return
      if (!awaiting) await_(host.now())
      graceTaken = true
      schedule(0)
    },
  }
}
