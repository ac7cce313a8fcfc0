// The sample of packages/server/README.md, the page npm shows. The region is pasted into it as it is.
import type { ClientMessages, Replies, ServerMessages } from './server.js'

declare const db: { user(id: string): Promise<{ name: string }> }

// #region example
import { attach } from '@lifeline/server'
import { WebSocketServer } from 'ws'

const hub = attach<ClientMessages, ServerMessages, Replies>(new WebSocketServer({ port: 8080 }))
hub.on('connection', (peer) => {
  peer.on('chat', ({ text }) => hub.broadcast('chat', { from: 'guest', text })) // typed by the message maps
  peer.handle('getUser', async ({ id }) => db.user(id)) // the reply to socket.request('getUser')
})
// Several instances: attach(wss, { adapter: redisAdapter({ url }) }) from '@lifeline/server/redis'
// #endregion
