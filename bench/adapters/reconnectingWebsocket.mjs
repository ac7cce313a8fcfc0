// reconnecting-websocket 4.x: a WebSocket-shaped class that reconnects and buffers sends.
import ReconnectingWebSocket from 'reconnecting-websocket'
import WebSocket from 'ws'
import { lifecycle, peerReconnectOptions } from './events.mjs'

export default {
  name: 'reconnecting-websocket',
  label: 'reconnecting-websocket',
  package: 'reconnecting-websocket',
  reconnects: true,
  heartbeats: false,
  connect(url, { reconnect } = {}) {
    const rws = new ReconnectingWebSocket(url, [], { WebSocket, ...peerReconnectOptions(reconnect) })
    const events = lifecycle()
    rws.addEventListener('open', events.opened)
    rws.addEventListener('close', events.closed)
    return {
      ready: events.ready,
      onOpen: events.onOpen,
      onClose: events.onClose,
      onMessage: (fn) => rws.addEventListener('message', (event) => fn(event.data)),
      send: (data) => rws.send(data),
      close: () => rws.close(),
    }
  },
}
