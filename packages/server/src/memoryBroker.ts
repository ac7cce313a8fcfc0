import type { Broker, BrokerHost } from './broker.js'

/**
 * The broker of one process: a publication goes to this instance's peers, and there are no
 * others.
 *
 * @example
 * ```ts
 * attach(wss, { adapter: { ...memoryAdapter(), broker: memoryBroker() } })
 * ```
 */
export function memoryBroker(): Broker {
  let host: BrokerHost | null = null
  return {
    start(given) {
      host = given
    },
    publish(publication) {
      host?.deliver(publication)
    },
    close() {
      host = null
    },
  }
}
