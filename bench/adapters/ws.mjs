// Raw `ws` with its own Node API: the baseline every other library is measured against.
// It neither reconnects nor queues.
import WebSocket from 'ws'
import { lifecycle } from './events.mjs'

export default {
  name: 'ws',
  label: 'ws',
  package: 'ws',
  reconnects: false,
  heartbeats: false,
  connect(url) {
    const ws = new WebSocket(url)
    const events = lifecycle()
    // A refused or aborted connection is reported by 'close'; without a listener 'error' would throw.
    ws.on('error', () => {})
    ws.on('open', events.opened)
    ws.on('close', events.closed)
    return {
      ready: events.ready,
      onOpen: events.onOpen,
      onClose: events.onClose,
      onMessage: (fn) => ws.on('message', (data, isBinary) => fn(isBinary ? data : data.toString())),
      send: (data) => ws.send(data),
      close: () => ws.close(),
    }
  },
}
