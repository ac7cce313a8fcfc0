// Samples of docs/migrating.md, the socket.io section. Each region is pasted into the guide as it is.
import { connect } from '@lifeline/core'
import { channel } from '@lifeline/core/channels'
import { attach } from '@lifeline/server'
import type { WebSocketServer } from 'ws'

declare function getToken(): Promise<string>
declare function userOf(token: unknown): Promise<{ userId: string }>
declare function render(line: unknown): void
declare const wss: WebSocketServer

interface Outgoing {
  getUser: string
}
interface Replies {
  getUser: { name: string }
}

export async function client() {
  // #region socketio-client
  // Before: const socket = io(url, { auth: { token } })
  const socket = connect<{}, Outgoing, Replies>('wss://example.com/live', { auth: () => getToken() })

  // Before: socket.on('chat', render) for what the server sent to the room the server joined us to
  const room = channel(socket, 'room:42') // joined now, and again with its position after every drop
  room.on('message', (line) => render(line)) // what was missed while away comes first, in order
  room.on('gap', () => render('(some lines were lost: reload the history)'))

  // Before: const user = await socket.timeout(10_000).emitWithAck('getUser', '42')
  const user = await socket.request('getUser', '42') // resent after a drop, answered once
  // #endregion
  return user
}

export function server() {
  // #region socketio-server
  const hub = attach<Outgoing, {}, Replies, {}, { userId: string }>(wss, {
    // Before: io.use((socket, next) => …): runs before anything the client sent is read
    authenticate: async ({ token }) => userOf(token), // a throw closes with 4401: the client stops
    // Before: socket.join('room:42') on the server; here the client joins, and this decides
    authorize: (peer, name, action) => action === 'join' || name === `user:${peer.data.userId}`,
    // Before: new Server(http, { connectionStateRecovery: { maxDisconnectionDuration: 120_000 } })
    history: { size: 1000, ttl: 300_000 },
  })
  hub.on('connection', (peer) => {
    // Before: socket.on('getUser', (id, ack) => ack({ name }))
    peer.handle('getUser', async () => ({ name: peer.data.userId }))
  })
  // Before: io.to('room:42').emit('chat', line)
  hub.publish('room:42', { text: 'The room closes at 6' })
  // #endregion
}
