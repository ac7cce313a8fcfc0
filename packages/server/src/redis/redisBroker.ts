import { randomBytes } from 'node:crypto'
import type { Broker, BrokerHost, Publication } from '@lifeline/server'
import type { RedisConnection, RedisListener } from './redisConnection.js'

/**
 * A broker over Redis pub/sub: every instance publishes on `<prefix>broadcast` and subscribes to
 * it, and delivers what the others published to its own peers (its own publications, which Redis
 * hands back too, it has delivered already). A message is the publishing instance's tag, the
 * publication's channel and `except` as JSON, a newline, then the frame.
 */
export function redisBroker(connection: RedisConnection, prefix: string): Broker {
  /** Tags this instance's publications; 16 hex characters. */
  const instance = randomBytes(8).toString('hex')
  const broadcast = `${prefix}broadcast`
  let host: BrokerHost | null = null

  const onMessage: RedisListener = (message) => {
    if (message.startsWith(instance)) return
    const newline = message.indexOf('\n')
    const [channel, except] = JSON.parse(message.slice(instance.length, newline)) as [string | null, string | null]
    const publication: Publication = { frame: message.slice(newline + 1) }
    if (channel !== null) publication.channel = channel
    if (except !== null) publication.except = except
    host?.deliver(publication)
  }

  return {
    async start(given) {
      host = given
      const { subscriber } = await connection.open(given.report)
      await subscriber.subscribe(broadcast, onMessage)
    },
    async publish(publication) {
      host?.deliver(publication)
      const { commands } = await connection.ready()
      const header = JSON.stringify([publication.channel ?? null, publication.except ?? null])
      await commands.publish(broadcast, `${instance}${header}\n${publication.frame}`)
    },
    async close() {
      host = null
      await connection.release()
    },
  }
}
