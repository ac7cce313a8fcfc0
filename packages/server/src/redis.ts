/**
 * A Redis adapter for `@lifeline/server`: broadcasts over Redis pub/sub and the request dedupe
 * window in Redis keys, so several server instances behave as one.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto'
import { type Adapter, type AdapterHost, LifelineServerError } from '@lifeline/server'
import { createClient } from '@redis/client'

/** A pub/sub listener: the message, then its channel. */
export type RedisListener = (message: string, channel: string) => unknown

/**
 * The parts of a node-redis client (`createClient()` of `redis` or `@redis/client`, version 5
 * or later) the adapter uses.
 */
export interface RedisClientLike {
  /** Whether the client is connected (or connecting). */
  readonly isOpen: boolean
  /** Connects. */
  connect(): Promise<unknown>
  /** A new, unconnected client with the same options: the adapter's subscriber. */
  duplicate(): RedisClientLike
  /** `SET key value [NX] PX ms`: `null` when `NX` found the key set. */
  set(
    key: string,
    value: string,
    options: { condition?: 'NX'; expiration: { type: 'PX'; value: number } },
  ): Promise<string | null | object>
  /** `GET key`. */
  get(key: string): Promise<string | null | object>
  /** `PUBLISH channel message`. */
  publish(channel: string, message: string): Promise<unknown>
  /** `SUBSCRIBE channel`, with a listener of its own. */
  subscribe(channel: string, listener: RedisListener): Promise<unknown>
  /** Removes that listener (and unsubscribes when it was the channel's last). */
  unsubscribe(channel: string, listener: RedisListener): Promise<unknown>
  /** Connection errors; node-redis reconnects by itself. */
  on(event: 'error', listener: (error: Error) => void): unknown
  /** Closes once pending commands are answered. */
  close(): Promise<unknown>
}

/** Options of {@link redisAdapter}: a `url` to connect to, or a `client` of yours. */
export interface RedisAdapterOptions {
  /** The server to connect to, e.g. `redis://127.0.0.1:6379`; the adapter opens and closes two connections. */
  url?: string
  /**
   * A node-redis client of yours (connected or not). The adapter runs its commands on it and
   * never closes it; it opens one more connection, `client.duplicate()`, for subscriptions.
   */
  client?: RedisClientLike
  /**
   * Put before every key and channel the adapter uses; instances share broadcasts and dedupe
   * only with instances of the same prefix.
   * @default 'lifeline:'
   */
  prefix?: string
}

/** The value of a request key while its first attempt runs; a reply is a JSON object, never empty. */
const RUNNING = ''

/** How many times a claim retries when the first attempt's key expires between two commands. */
const CLAIM_ATTEMPTS = 3

/**
 * Shares broadcasts and the request dedupe window through Redis, for several server instances.
 *
 * - Broadcast: `PUBLISH <prefix>broadcast`; every instance subscribes and sends what the others
 *   published to its own peers.
 * - Dedupe: a request claims `<prefix>request:<id>` with `SET … NX PX ttl`. Exactly one claim
 *   wins, on whichever instance, and runs the handler; its reply replaces the key's value (for
 *   `ttl` more ms) and is published on `<prefix>reply:<id>`. A duplicate subscribes to that
 *   channel before it reads the key, so it gets the reply whether it was stored before or after.
 *   If the winner's instance dies before it replies, the duplicates answer `REQUEST_LOST`
 *   once the claim lapses. The window is bounded by `ttl` (not by `max`).
 *
 * @throws `INVALID_OPTIONS` unless exactly one of `url` and `client` is given.
 * @example
 * ```ts
 * import { attach } from '@lifeline/server'
 * import { redisAdapter } from '@lifeline/server/redis'
 *
 * const hub = attach(wss, { adapter: redisAdapter({ url: process.env.REDIS_URL }) })
 * await hub.ready // subscribed: broadcasts from other instances arrive from now on
 * ```
 */
export function redisAdapter(options: RedisAdapterOptions): Adapter {
  const { url, client, prefix = 'lifeline:' } = options ?? {}
  if ((url === undefined) === (client === undefined)) {
    throw new LifelineServerError('INVALID_OPTIONS', 'redisAdapter() needs either `url` or `client`')
  }
  if (typeof prefix !== 'string') throw new LifelineServerError('INVALID_OPTIONS', 'prefix must be a string')
  /** Tags this instance's broadcasts, which Redis also delivers back to it. */
  const instance = randomBytes(8).toString('hex')
  const broadcast = `${prefix}broadcast`
  const requestKey = (key: string) => `${prefix}request:${key}`
  const replyChannel = (key: string) => `${prefix}reply:${key}`

  let host: AdapterHost
  let commands: RedisClientLike
  let subscriber: RedisClientLike
  let started: Promise<void> | undefined
  let closing = false
  /** Every wait under way, so `close()` can end them. */
  const waits = new Set<(error: Error) => void>()

  const ready = () =>
    started ?? Promise.reject(new LifelineServerError('ADAPTER_FAILED', 'the adapter was not started'))

  const onBroadcast: RedisListener = (message) => {
    const space = message.indexOf(' ')
    if (message.slice(0, space) !== instance) host.deliver(message.slice(space + 1))
  }

  /** Claims `key` with `SET NX`: `true` when this call is the first. */
  const tryClaim = async (key: string) =>
    (await commands.set(requestKey(key), RUNNING, {
      condition: 'NX',
      expiration: { type: 'PX', value: host.dedupe.ttl },
    })) !== null

  /** Waits for the first reply to `key`; `null` when the key expired meanwhile (claim again). */
  async function waitForReply(key: string, signal: AbortSignal): Promise<string | null> {
    const channel = replyChannel(key)
    let listener: RedisListener = () => {}
    let end: (error: Error) => void = () => {}
    const published = new Promise<string>((resolve, reject) => {
      listener = (reply) => resolve(reply)
      end = reject
    })
    published.catch(() => {}) // an abort before it is awaited must not be an unhandled rejection
    const abort = () => end(signal.reason)
    // The first attempt's claim runs for at most `ttl`; no reply by then means none will come.
    const timer = setTimeout(
      () => end(new LifelineServerError('REQUEST_LOST', 'the first attempt at this request ended without a reply')),
      host.dedupe.ttl,
    )
    timer.unref()
    signal.addEventListener('abort', abort)
    waits.add(end)
    try {
      await subscriber.subscribe(channel, listener)
      signal.throwIfAborted()
      const stored = await commands.get(requestKey(key))
      if (stored === null) return null
      if (typeof stored === 'string' && stored !== RUNNING) return stored
      return await published
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', abort)
      waits.delete(end)
      // After close() the subscriber is gone, and its subscriptions with it.
      if (!closing) subscriber.unsubscribe(channel, listener).catch(host.report)
    }
  }

  return {
    start(given) {
      host = given
      started ??= (async () => {
        if (client) {
          commands = client
        } else {
          commands = createClient({ url }) as unknown as RedisClientLike
          commands.on('error', host.report)
        }
        if (!commands.isOpen) await commands.connect()
        subscriber = commands.duplicate()
        subscriber.on('error', host.report)
        await subscriber.connect()
        await subscriber.subscribe(broadcast, onBroadcast)
      })()
      return started
    },

    async publish(frame) {
      await ready()
      await commands.publish(broadcast, `${instance} ${frame}`)
    },

    async claim(key, signal) {
      await ready()
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        signal.throwIfAborted()
        if (await tryClaim(key)) return null
        const reply = await waitForReply(key, signal)
        if (reply !== null) return reply
      }
      throw new LifelineServerError('ADAPTER_FAILED', `request key ${requestKey(key)} keeps expiring`)
    },

    async settle(key, reply) {
      await ready()
      // One connection runs commands in order: the reply is stored before it is published.
      await Promise.all([
        commands.set(requestKey(key), reply, { expiration: { type: 'PX', value: host.dedupe.ttl } }),
        commands.publish(replyChannel(key), reply),
      ])
    },

    async close() {
      closing = true
      for (const end of waits) end(new LifelineServerError('REQUEST_LOST', 'the hub closed'))
      await started?.catch(() => {})
      const owned = client ? [subscriber] : [subscriber, commands]
      await Promise.all(owned.filter((connection) => connection?.isOpen).map((connection) => connection.close()))
    },
  }
}
