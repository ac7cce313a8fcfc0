// The same small chat on socket.io and on Lifeline, side by side: a token checked on connection,
// a room, a request with a reply, and a link cut while the room is being published to. Each half
// is written the way its library's guide writes it; docs/migrating.md walks through the pairs.
import { once } from 'node:events'
import { createServer } from 'node:http'
import { connect } from '@lifeline/core'
import { channel } from '@lifeline/core/channels'
import { attach } from '@lifeline/server'
import { Server } from 'socket.io'
import { io } from 'socket.io-client'
import WebSocket, { WebSocketServer } from 'ws'

const users = { 'token-ada': 'ada' }
const until = (check) =>
  new Promise((resolve) => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 5))
    poll()
  })

/** socket.io: middleware, rooms, emitWithAck, connection state recovery. */
export async function socketIo() {
  const http = createServer()
  const server = new Server(http, { connectionStateRecovery: {} })
  server.use((socket, next) => {
    const user = users[socket.handshake.auth.token]
    if (!user) return next(new Error('unauthorized'))
    socket.data.user = user
    next()
  })
  server.on('connection', (socket) => {
    if (!socket.recovered) socket.join('room:42')
    socket.on('getUser', (id, ack) => ack({ id, name: socket.data.user }))
  })
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')

  const client = io(`http://127.0.0.1:${http.address().port}`, {
    auth: { token: 'token-ada' },
    transports: ['websocket'],
    reconnectionDelay: 50,
  })
  const lines = []
  client.on('chat', (line) => lines.push(line))
  await once(client, 'connect')
  const user = await client.emitWithAck('getUser', '42')

  for (const n of [1, 2, 3]) server.to('room:42').emit('chat', `line ${n}`)
  await until(() => lines.length === 3)
  // The link drops; the room goes on meanwhile.
  client.io.engine.close()
  for (const n of [4, 5]) server.to('room:42').emit('chat', `line ${n}`)
  await until(() => lines.length === 5)
  const recovered = client.recovered
  client.close()
  server.close()
  return { user, lines, recovered }
}

/** Lifeline: authenticate, channels, request, channel recovery. */
export async function lifeline() {
  const http = createServer()
  const wss = new WebSocketServer({ server: http })
  const hub = attach(wss, {
    authenticate: ({ token }) => {
      const user = users[token]
      if (!user) throw new Error('unauthorized') // the client stops: 4401
      return { user }
    },
  })
  hub.on('connection', (peer) => {
    peer.handle('getUser', (id) => ({ id, name: peer.data.user }))
  })
  http.listen(0, '127.0.0.1')
  await once(http, 'listening')

  const socket = connect(`ws://127.0.0.1:${http.address().port}`, {
    WebSocket,
    auth: () => 'token-ada',
    reconnect: { initialDelay: 50 },
  })
  const room = channel(socket, 'room:42')
  const lines = []
  room.on('message', (line) => lines.push(line))
  const user = await socket.request('getUser', '42')
  await until(() => room.getSnapshot().status === 'joined')

  for (const n of [1, 2, 3]) await hub.publish('room:42', `line ${n}`)
  await until(() => lines.length === 3)
  // The link drops; the room goes on meanwhile.
  for (const peer of hub.peers) peer.socket.terminate()
  for (const n of [4, 5]) await hub.publish('room:42', `line ${n}`)
  await until(() => lines.length === 5)
  const recovered = room.getSnapshot().recovered
  socket.dispose()
  await hub.close()
  wss.close()
  http.close()
  return { user, lines, recovered }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, run] of [
    ['socket.io', socketIo],
    ['Lifeline', lifeline],
  ]) {
    const { user, lines, recovered } = await run()
    console.log(`${name.padEnd(9)}  user ${JSON.stringify(user)}  lines ${lines.join(', ')}  recovered ${recovered}`)
  }
}
