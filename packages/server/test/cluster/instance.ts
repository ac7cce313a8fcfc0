// One server instance of the cluster tests, run as its own Node process (started by support/cluster.ts):
// a `ws` server on a free port of 127.0.0.1 with a hub and the Redis adapter. The test drives it
// over IPC and hears from it over IPC.
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { attach } from '@lifeline/server'
import { redisAdapter } from '@lifeline/server/redis'
import { WebSocketServer } from 'ws'
import type { ClusterClientSends, ClusterReplies, ClusterServerSends, Command, Report } from './protocol.js'

const { REDIS_URL: url, PREFIX: prefix, NAME: name = 'instance' } = process.env
const report = (message: Report) => process.send?.(message)

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
await once(wss, 'listening')
const hub = attach<ClusterClientSends, ClusterServerSends, ClusterReplies>(wss, {
  adapter: redisAdapter({ url, prefix }),
})
hub.on('error', (error) => console.error(`${name}:`, error))
await hub.ready

const calls = { slow: 0, lossy: 0 }
const releases = new Map<string, (value: string) => void>()

hub.on('connection', (peer) => {
  peer.on('chat', (data) => hub.broadcast('chat', data))
  peer.handle('slow', (_data, { id }) => {
    calls.slow++
    report({ event: 'handling', id })
    return new Promise((resolve) => releases.set(id, resolve))
  })
  peer.handle('lossy', ({ n }) => {
    calls.lossy++
    peer.socket.terminate() // the reply goes into a dead link
    return `lossy ${n} from ${name}`
  })
  // Tells the test which requests reach this instance (after the hub has read them).
  peer.socket.on('message', (raw: Buffer) => {
    const { id, type } = JSON.parse(String(raw))
    if (typeof id === 'string') report({ event: 'request', id, type })
  })
})

process.on('message', async (command: Command) => {
  switch (command.cmd) {
    case 'release':
      return releases.get(command.id)?.(command.value)
    case 'drop':
      for (const peer of hub.peers) peer.socket.terminate()
      return
    case 'calls':
      return report({ event: 'calls', calls })
    case 'publish':
      return report({ event: 'published', ...(await hub.publish(command.channel, command.data)) })
    case 'stop':
      // Everything closed: with the IPC channel gone too, nothing is left to keep the process alive.
      await hub.close()
      await new Promise((resolve) => wss.close(resolve))
      process.disconnect()
  }
})

report({ event: 'ready', port: (wss.address() as AddressInfo).port })
