import { createClient } from '@redis/client'
import { expectTypeOf, it } from 'vitest'
import type { RedisClientLike } from '../redis.js'

it('takes a node-redis client as it is', () => {
  expectTypeOf(createClient()).toExtend<RedisClientLike>()
  expectTypeOf(createClient({ RESP: 3 })).toExtend<RedisClientLike>()
})
