// The fallback scenario's servers, in a child process of their own (forked by
// ../scenarios/fallback.mjs), each on 127.0.0.1, port 0:
//   lifeline   @lifeline/server's `attach` on a ws server with its own http.Server: WebSocket and
//              the HTTP fallback on the same port and path; `echo` messages sent back, `echo`
//              requests answered with their data
//   socket.io  a socket.io Server, long polling only: the same `echo` events, and acks
// It sends `{ lifeline, socketIo }` (the ports) over IPC once listening, and stops on 'stop'.
import { createServer } from 'node:http'
import { attach } from '@lifeline/server'
import { Server as SocketIoServer } from 'socket.io'
import { WebSocketServer } from 'ws'

const listen = (http) => new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(http.address().port)))

const lifelineHttp = createServer()
const hub = attach(new WebSocketServer({ server: lifelineHttp, path: '/live' }), {
  heartbeat: false,
  rateLimit: false,
})
hub.on('error', () => {})
hub.on('connection', (peer) => {
  peer.on('echo', (data) => peer.send('echo', data))
  peer.handle('ask', (data) => data)
})

const ioHttp = createServer()
const io = new SocketIoServer(ioHttp, { transports: ['polling'], serveClient: false })
io.on('connection', (socket) => {
  socket.on('echo', (data) => socket.emit('echo', data))
  socket.on('ask', (data, ack) => typeof ack === 'function' && ack(data))
})

const [lifeline, socketIo] = await Promise.all([listen(lifelineHttp), listen(ioHttp)])
process.send?.({ lifeline, socketIo })
process.on('message', async (message) => {
  if (message !== 'stop') return
  await hub.close()
  io.close()
  lifelineHttp.closeAllConnections()
  process.exit(0)
})
