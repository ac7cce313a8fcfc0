/**
 * A Redis adapter for `@lifeline/server`: broadcasts over Redis pub/sub, the request dedupe
 * window in Redis keys, channel history in Redis Streams and presence in hashes, so several
 * server instances behave as one. Needs `@redis/client` (an optional peer dependency:
 * `npm install @redis/client`).
 *
 * @packageDocumentation
 */
export { type RedisAdapterOptions, redisAdapter } from './redis/redisAdapter.js'
export { redisBroker } from './redis/redisBroker.js'
export {
  createRedisConnection,
  type RedisClientLike,
  type RedisConnection,
  type RedisLinks,
  type RedisListener,
  type RedisSource,
} from './redis/redisConnection.js'
export { redisHistory } from './redis/redisHistory.js'
export { redisPresence } from './redis/redisPresence.js'
export { redisReplyStore } from './redis/redisReplyStore.js'
