// partysocket's generic reconnecting WebSocket (`import { WebSocket } from 'partysocket'`),
// the class PartySocket itself extends; it takes any URL.
import { WebSocket as PartyWebSocket } from 'partysocket'
import WebSocket from 'ws'
import { lifecycle, peerReconnectOptions } from './events.mjs'

export default {
  name: 'partysocket',
  label: 'partysocket',
  package: 'partysocket',
  reconnects: true,
  heartbeats: false,
  connect(url, { reconnect } = {}) {
    const socket = new PartyWebSocket(url, [], { WebSocket, ...peerReconnectOptions(reconnect) })
    const events = lifecycle()
    socket.addEventListener('open', events.opened)
    socket.addEventListener('close', events.closed)
    return {
      ready: events.ready,
      onOpen: events.onOpen,
      onClose: events.onClose,
      onMessage: (fn) => socket.addEventListener('message', (event) => fn(event.data)),
      send: (data) => socket.send(data),
      close: () => socket.close(),
    }
  },
}
