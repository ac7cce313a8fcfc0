import { randomBytes } from 'node:crypto'
import type { Relay, RelayHost } from '@lifeline/server'
import type { RedisConnection, RedisListener } from './redisConnection.js'

/**
 * The HTTP fallback's relay through Redis pub/sub: each instance subscribes to its own channel
 * (`<prefix>relay:<instance>`), and an uplink POST that a balancer sent to another instance is
 * published there, to the instance whose id starts its session id. No sticky sessions needed.
 */
export function redisRelay(connection: RedisConnection, prefix: string): Relay {
  /** 16 hex characters, in front of this instance's session ids. */
  const instance = randomBytes(8).toString('hex')
  const channelOf = (id: string) => `${prefix}relay:${id}`
  let host: RelayHost | null = null
  const onMessage: RedisListener = (message) => host?.deliver(message)

  return {
    instance,
    async start(given) {
      host = given
      const { subscriber } = await connection.open(given.report)
      await subscriber.subscribe(channelOf(instance), onMessage)
    },
    async forward(to, message) {
      const { commands } = await connection.ready()
      await commands.publish(channelOf(to), message)
    },
    async close() {
      host = null
      await connection.release()
    },
  }
}
