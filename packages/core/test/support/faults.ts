import { createHook } from 'node:async_hooks'
import type { Logger } from '../../src/index.js'
import type { Resources } from './client.js'
import type { FaultProxy } from './proxy.js'
import type { TestServer } from './server.js'

/**
 * A real `ws` server behind a {@link FaultProxy}: every fault the client can meet, in one
 * place. The proxy works at TCP level (cut, black hole, delay, refuse, drop handshakes);
 * closing with a code is the server's part. Both are released by the {@link Resources}
 * that made them.
 *
 * @example
 * ```ts
 * const network = await FaultyNetwork.start(resources)
 * const socket = resources.connect(network.url('/live'))
 * network.cut()               // RST both ways
 * await network.closeWith(1012, 'restart')
 * ```
 */
export class FaultyNetwork {
  readonly server: TestServer
  readonly proxy: FaultProxy

  private constructor(server: TestServer, proxy: FaultProxy) {
    this.server = server
    this.proxy = proxy
  }

  /** Starts a server and a proxy in front of it, both closed when `resources` is disposed. */
  static async start(resources: Resources): Promise<FaultyNetwork> {
    const server = await resources.server()
    const proxy = await resources.proxy({ target: { port: server.port } })
    return new FaultyNetwork(server, proxy)
  }

  /** A `ws:` URL through the proxy. */
  url(path = '/'): string {
    return this.proxy.url(path)
  }

  /** Resets every link held now (RST to client and server), like a crashed middlebox. */
  cut(): this {
    this.proxy.cut()
    return this
  }

  /** The server closes every open connection with `code` (a clean close handshake). */
  closeWith(code: number, reason = ''): Promise<void> {
    return this.server.closeAll(code, reason)
  }

  /** Every link held now goes silent both ways and stays open; new connections are still forwarded. */
  blackhole(): this {
    this.proxy.blackhole()
    return this
  }

  /** Forwarded data waits `ms` each way (0: none). */
  delay(ms: number): this {
    this.proxy.delay(ms)
    return this
  }

  /** New connections are accepted and never answered. */
  dropHandshakes(): this {
    this.proxy.dropHandshakes()
    return this
  }

  /** New connections are reset at once. */
  refuse(): this {
    this.proxy.refuse()
    return this
  }

  /** New connections are forwarded again. */
  forward(): this {
    this.proxy.forward()
    return this
  }
}

/** Lines written to a {@link recordingLogger}, one per call, every argument stringified. */
export interface LogRecord {
  lines: string[]
  logger: Logger
}

/** A logger that keeps every line it is given, at every level, with errors and objects in full. */
export function recordingLogger(): LogRecord {
  const lines: string[] = []
  const show = (value: unknown): string => {
    if (typeof value === 'string') return value
    if (value instanceof Error) return `${value.name}: ${value.message} ${show((value as { cause?: unknown }).cause)}`
    try {
      return JSON.stringify(value) ?? String(value)
    } catch {
      return String(value)
    }
  }
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push(`${level} ${args.map(show).join(' ')}`)
  return {
    lines,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
  }
}

/** How many timers (`setTimeout`/`setInterval`) the process holds now. */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length
}

/**
 * Resolves as `promise` does, or rejects after `limit` ms (5 s by default) saying what was
 * awaited, so a stuck wait fails fast and clearly instead of at the test timeout.
 */
export function within<T>(promise: Promise<T>, what: string, limit = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${limit} ms waiting for ${what}`)), limit)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Waits `ms` of real time. Only for tests where time itself is the subject (a backoff window, an expiry). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Whether every number is larger than the one before it (in order, no duplicates). */
export function strictlyIncreasing(numbers: readonly number[]): boolean {
  return numbers.every((n, i) => i === 0 || n > (numbers[i - 1] as number))
}

/** Timers made by chosen code that are still pending, see {@link trackTimers}. */
export interface TimerTracker {
  /** Where each pending timer was created (the first stack frame that matched). */
  pending(): string[]
  /** Stops tracking. */
  stop(): void
}

/**
 * Tracks the timers created from now on by code whose file path contains one of `paths`
 * (e.g. `packages/core/src`, `node_modules/ws`), until each fires or is cleared. Unlike a
 * process-wide count, this tells a timer the socket left behind from the test runner's own.
 */
export function trackTimers(paths: readonly string[]): TimerTracker {
  const live = new Map<number, string>()
  const hook = createHook({
    init(asyncId, type) {
      if (type !== 'Timeout') return
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 24
      const frames = (new Error().stack ?? '').split('\n')
      Error.stackTraceLimit = limit
      const origin = frames.find((frame) => paths.some((path) => frame.includes(path)))
      if (origin) live.set(asyncId, origin.trim())
    },
    destroy(asyncId) {
      live.delete(asyncId)
    },
  })
  hook.enable()
  return { pending: () => [...live.values()], stop: () => void hook.disable() }
}
