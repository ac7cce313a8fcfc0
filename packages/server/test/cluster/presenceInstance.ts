// A server instance for the presence tests that kill one: a hub on a free port of 127.0.0.1 with
// the Redis adapter (REDIS_URL, PREFIX) and presence ttl PRESENCE_TTL; it reports its port over
// IPC, then runs until it is killed.
import type { AddressInfo } from 'node:net'
import { attach } from '@lifeline/server'
import { redisAdapter } from '@lifeline/server/redis'
import { WebSocketServer } from 'ws'

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
await new Promise((resolve) => wss.once('listening', resolve))
const hub = attach(wss, {
  adapter: redisAdapter({ url: process.env.REDIS_URL as string, prefix: process.env.PREFIX as string }),
  authenticate: ({ token }) => ({ userId: String(token) }),
  presence: { grace: 100, ttl: Number(process.env.PRESENCE_TTL) },
})
await hub.ready
process.send?.({ port: (wss.address() as AddressInfo).port })
