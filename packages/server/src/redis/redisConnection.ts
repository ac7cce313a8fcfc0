import { createHash } from 'node:crypto'
import { LifelineServerError } from '@lifeline/server'

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
  /** Any command, as its words (the history's scripts). */
  sendCommand(args: string[]): Promise<unknown>
  /** Connection errors; node-redis reconnects by itself. */
  on(event: 'error', listener: (error: Error) => void): unknown
  /** Closes once pending commands are answered. */
  close(): Promise<unknown>
  /** Closes at once, failing pending commands. */
  destroy?(): unknown
}

/** How long a connection may take to close gracefully (pending commands answered) before it is destroyed. */
const CLOSE_LIMIT = 2000

/** Closes a connection once its pending commands are answered, or destroys it when Redis does not answer in time. */
async function closeConnection(connection: RedisClientLike) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), CLOSE_LIMIT)
  })
  const closed = connection.close().catch(() => {})
  const outcome = await Promise.race([closed, late])
  clearTimeout(timer)
  if (outcome === 'late') connection.destroy?.()
}

/** Where a connection comes from: a `url` to connect to, or a `client` of yours. */
export interface RedisSource {
  /** The server to connect to, e.g. `redis://127.0.0.1:6379`; the connection is opened and closed here. */
  url?: string
  /** A node-redis client of yours (connected or not); it is used and never closed. */
  client?: RedisClientLike
}

/** The two connections the Redis seams share: one for commands, one for subscriptions. */
export interface RedisLinks {
  /** The connection for commands and publishing: the `client` given, or one opened to `url`. */
  readonly commands: RedisClientLike
  /** The connection in subscriber mode: a `duplicate()` of `commands`, opened and closed here. */
  readonly subscriber: RedisClientLike
}

/**
 * The connections of one Redis adapter, shared by its broker, reply store and history: opened
 * by the first seam that starts, closed when the last one closes (only what it opened itself).
 */
export interface RedisConnection {
  /** Opens (once) and resolves with the connections; connection errors go to `report`. */
  open(report: (error: unknown) => void): Promise<RedisLinks>
  /** The connections once open (rejects if they could not be opened; never opens them). */
  ready(): Promise<RedisLinks>
  /** One user is done; after the last, the connections it opened are closed. */
  release(): Promise<void>
}

/**
 * `@redis/client`, loaded when the adapter is asked to connect by `url`: it is an optional peer
 * dependency of `@lifeline/server`, needed by this entry only.
 */
async function loadCreateClient(): Promise<(options: { url: string }) => RedisClientLike> {
  try {
    const { createClient } = await import('@redis/client')
    return createClient as unknown as (options: { url: string }) => RedisClientLike
  } catch (cause) {
    throw new LifelineServerError(
      'ADAPTER_FAILED',
      'the Redis adapter needs @redis/client, which is not installed: npm install @redis/client',
      { cause },
    )
  }
}

/** The connections for `source`, shared by the seams that `open` them. */
export function createRedisConnection({ url, client }: RedisSource): RedisConnection {
  let opened: Promise<RedisLinks> | undefined
  let users = 0

  return {
    open(report) {
      users++
      opened ??= (async () => {
        let commands: RedisClientLike
        if (client) {
          commands = client
        } else {
          const createClient = await loadCreateClient()
          commands = createClient({ url: url as string })
          commands.on('error', report)
        }
        if (!commands.isOpen) await commands.connect()
        const subscriber = commands.duplicate()
        subscriber.on('error', report)
        await subscriber.connect()
        return { commands, subscriber }
      })()
      return opened
    },
    ready: () => opened ?? Promise.reject(new LifelineServerError('ADAPTER_FAILED', 'the adapter was not started')),
    async release() {
      if (--users > 0 || !opened) return
      const links = await opened.catch(() => null)
      if (!links) return
      const owned = client ? [links.subscriber] : [links.subscriber, links.commands]
      await Promise.all(owned.filter((connection) => connection.isOpen).map(closeConnection))
    },
  }
}

/** A Lua script run by its SHA1, sent whole only when Redis does not have it yet. */
export function script(source: string) {
  const sha = createHash('sha1').update(source).digest('hex')
  return async (commands: RedisClientLike, keys: string[], args: Array<string | number>) => {
    const words = [String(keys.length), ...keys, ...args.map(String)]
    try {
      return await commands.sendCommand(['EVALSHA', sha, ...words])
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error
      return commands.sendCommand(['EVAL', source, ...words])
    }
  }
}
