import { type Adapter, LifelineServerError } from '@lifeline/server'
import { redisBroker } from './redisBroker.js'
import { createRedisConnection, type RedisClientLike } from './redisConnection.js'
import { redisHistory } from './redisHistory.js'
import { redisPresence } from './redisPresence.js'
import { redisRelay } from './redisRelay.js'
import { redisReplyStore } from './redisReplyStore.js'

/** Options of {@link redisAdapter}: a `url` to connect to, or a `client` of yours. */
export interface RedisAdapterOptions {
  /**
   * The server to connect to, e.g. `redis://127.0.0.1:6379`; the adapter opens and closes two
   * connections. Needs `@redis/client` installed (`npm install @redis/client`).
   */
  url?: string
  /**
   * A node-redis client of yours (connected or not). The adapter runs its commands on it and
   * never closes it; it opens one more connection, `client.duplicate()`, for subscriptions.
   */
  client?: RedisClientLike
  /**
   * Put before every key and channel the adapter uses; instances share broadcasts, dedupe and
   * history only with instances of the same prefix.
   * @default 'lifeline:'
   */
  prefix?: string
}

/**
 * Shares broadcasts, the request dedupe window, channel history and presence through Redis, for
 * several server instances: {@link redisBroker} (pub/sub), {@link redisReplyStore} (keys claimed
 * with `SET NX`), {@link redisHistory} (Redis Streams) and {@link redisPresence} (hashes and Lua
 * scripts, with entries that expire when an instance dies), over two connections they share, one
 * for commands and one for subscriptions.
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
  const connection = createRedisConnection(client ? { client } : { url })
  return {
    broker: redisBroker(connection, prefix),
    replies: redisReplyStore(connection, prefix),
    history: redisHistory(connection, prefix),
    presence: redisPresence(connection, prefix),
    relay: redisRelay(connection, prefix),
  }
}
