// Raw `ws` plus JSON.stringify/JSON.parse of the same envelope Lifeline's JSON codec uses:
// the yardstick for "the JSON codec costs no more than JSON itself".
import WebSocket from 'ws'
import { lifecycle } from './events.mjs'

export default {
  name: 'ws-json',
  label: 'ws + JSON',
  package: 'ws',
  reconnects: false,
  heartbeats: false,
  connect(url) {
    const ws = new WebSocket(url)
    const events = lifecycle()
    ws.on('error', () => {})
    ws.on('open', events.opened)
    ws.on('close', events.closed)
    return {
      ready: events.ready,
      onOpen: events.onOpen,
      onClose: events.onClose,
      onMessage: (fn) => ws.on('message', (data) => fn(JSON.parse(data.toString()).data)),
      send: (data) => ws.send(JSON.stringify({ type: 'm', data })),
      close: () => ws.close(),
    }
  },
}
