import { LifelineServerError, type ReplyStore, type ReplyStoreHost } from '@lifeline/server'
import type { RedisConnection, RedisLinks, RedisListener } from './redisConnection.js'

/** The value of a request key while its first attempt runs; a reply is a JSON object, never empty. */
const RUNNING = ''

/** How many times a claim retries when the first attempt's key expires between two commands. */
const CLAIM_ATTEMPTS = 3

/** Deletes a request key that still holds the running marker: a claim given back unanswered. */
const RELEASE = `if redis.call('GET', KEYS[1]) == '' then return redis.call('DEL', KEYS[1]) end return 0`

/**
 * Waits for `promise` at most `ms`: past that, rejects with `ADAPTER_FAILED`, and hands what the
 * promise later resolves with to `late` (a claim that Redis granted after the asker gave up).
 */
function bounded<T>(promise: Promise<T>, ms: number, what: string, late?: (value: T) => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  let gaveUp = false
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      gaveUp = true
      reject(new LifelineServerError('ADAPTER_FAILED', `Redis did not ${what} within ${ms} ms`))
    }, ms)
  })
  promise.then(
    (value) => {
      if (gaveUp) late?.(value)
    },
    () => {},
  )
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * The request dedupe window in Redis keys. A request claims `<prefix>request:<id>` with
 * `SET … NX PX ttl`. Exactly one claim wins, on whichever instance, and runs the handler; its
 * reply replaces the key's value (for `ttl` more ms) and is published on `<prefix>reply:<id>`. A
 * duplicate subscribes to that channel before it reads the key, so it gets the reply whether it
 * was stored before or after. If the winner's instance dies before it replies, the duplicates
 * answer `REQUEST_LOST` once the claim lapses. The window is bounded by `ttl` (not by `max`).
 * Every command of a claim waits at most `dedupe.claimTimeout` (a claim then fails, and the
 * request is answered `UNAVAILABLE`); a claim Redis grants after that is given back at once, so
 * no key is left marked running with no handler behind it.
 */
export function redisReplyStore(connection: RedisConnection, prefix: string): ReplyStore {
  const requestKey = (key: string) => `${prefix}request:${key}`
  const replyChannel = (key: string) => `${prefix}reply:${key}`
  let host: ReplyStoreHost
  let closing = false
  /** Every wait under way, so `close()` can end them. */
  const waits = new Set<(error: Error) => void>()

  /** Claims `key` with `SET NX`: `true` when this call is the first. */
  const tryClaim = async ({ commands }: RedisLinks, key: string) =>
    (await commands.set(requestKey(key), RUNNING, {
      condition: 'NX',
      expiration: { type: 'PX', value: host.dedupe.ttl },
    })) !== null

  /** Waits for the first reply to `key`; `null` when the key expired meanwhile (claim again). */
  async function waitForReply({ commands, subscriber }: RedisLinks, key: string, signal: AbortSignal) {
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
      const limit = host.dedupe.claimTimeout
      await bounded(subscriber.subscribe(channel, listener), limit, 'subscribe to a reply')
      signal.throwIfAborted()
      const stored = await bounded(commands.get(requestKey(key)), limit, 'read a reply')
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
    async start(given) {
      host = given
      await connection.open(given.report)
    },

    async claim(key, signal) {
      const links = await connection.ready()
      const limit = host.dedupe.claimTimeout
      const release = (won: boolean) => {
        if (won) links.commands.sendCommand(['EVAL', RELEASE, '1', requestKey(key)]).catch(host.report)
      }
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        signal.throwIfAborted()
        if (await bounded(tryClaim(links, key), limit, 'claim a request', release)) return null
        const reply = await waitForReply(links, key, signal)
        if (reply !== null) return reply
      }
      throw new LifelineServerError('ADAPTER_FAILED', `request key ${requestKey(key)} keeps expiring`)
    },

    async settle(key, reply) {
      const { commands } = await connection.ready()
      // One connection runs commands in order: the reply is stored before it is published.
      await Promise.all([
        commands.set(requestKey(key), reply, { expiration: { type: 'PX', value: host.dedupe.ttl } }),
        commands.publish(replyChannel(key), reply),
      ])
    },

    async close() {
      closing = true
      for (const end of waits) end(new LifelineServerError('REQUEST_LOST', 'the hub closed'))
      await connection.release()
    },
  }
}
