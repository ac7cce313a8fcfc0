/** Heartbeat settings after defaults are applied. */
export interface HeartbeatSettings {
  /** Silence, in ms, after which a ping is sent. */
  interval: number
  /** How long to wait for any incoming traffic after a ping, in ms. */
  timeout: number
  /** Builds the ping message handed to the codec. */
  ping: () => unknown
  /** Recognises the pong among decoded messages. */
  isPong: (message: unknown) => boolean
}

/** What the heartbeat asks of its socket. */
export interface HeartbeatHost {
  /** Send a ping now. */
  sendPing(): void
  /** The link is dead: nothing came back in time. */
  dead(): void
}

/**
 * Watches one link. Deadlines are wall-clock times (`Date.now()`), not counts of timer
 * firings, so a throttled background tab cannot make a live link look dead, and a dead
 * link is recognised on the next check however late the timer fires. Only incoming
 * traffic counts as life.
 */
export class Heartbeat {
  readonly settings: HeartbeatSettings
  readonly #host: HeartbeatHost
  #lastIncoming = 0
  /** Frames received so far; compared with the count at the last ping, which is exact where times can tie. */
  #frames = 0
  #framesAtPing = 0
  #pingSentAt: number | null = null
  #graceTaken = false
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(settings: HeartbeatSettings, host: HeartbeatHost) {
    this.settings = settings
    this.#host = host
  }

  /** Starts watching a link that has just opened. */
  start(now: number): void {
    this.#lastIncoming = now
    this.#pingSentAt = null
    this.#graceTaken = false
    this.#schedule(this.settings.interval)
  }

  /** Stops watching; clears the timer. */
  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#pingSentAt = null
  }

  /** Notes incoming traffic. Called for every frame, so it only stores a number. */
  received(now: number): void {
    this.#lastIncoming = now
    this.#frames++
  }

  /** Notes a pong; returns the round trip in ms, or `null` if no ping was outstanding. */
  pong(now: number): number | null {
    if (this.#pingSentAt === null) return null
    const latency = now - this.#pingSentAt
    this.#pingSentAt = null
    return latency
  }

  /** Sends a ping now (unless one is already awaited) and checks for an answer after `timeout`. */
  probe(now: number): void {
    if (this.#awaiting()) return
    this.#ping(now)
  }

  /** Whether the link's deadline has passed at `now`, whether or not a timer noticed it. */
  expired(now: number): boolean {
    const { interval, timeout } = this.settings
    if (this.#awaiting()) return now >= (this.#pingSentAt as number) + timeout
    return now >= this.#lastIncoming + interval + timeout
  }

  #awaiting(): boolean {
    return this.#pingSentAt !== null && this.#frames === this.#framesAtPing
  }

  #ping(now: number): void {
    this.#pingSentAt = now
    this.#framesAtPing = this.#frames
    this.#graceTaken = false
    this.#schedule(this.settings.timeout)
    this.#host.sendPing()
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer)
    this.#timer = setTimeout(this.#check, Math.max(0, delay))
  }

  #check = (): void => {
    this.#timer = undefined
    const now = Date.now()
    const { interval, timeout } = this.settings
    if (this.#awaiting()) {
      const deadline = (this.#pingSentAt as number) + timeout
      if (now < deadline) return this.#schedule(deadline - now)
      // Give I/O that queued up while this timer was late one turn to deliver a pong.
      if (!this.#graceTaken) {
        this.#graceTaken = true
        return this.#schedule(0)
      }
      return this.#host.dead()
    }
    const silence = now - this.#lastIncoming
    if (silence >= interval) this.#ping(now)
    else this.#schedule(interval - silence)
  }
}
