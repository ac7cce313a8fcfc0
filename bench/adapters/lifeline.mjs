// Lifeline, in its two usual shapes: `rawCodec` (frames as they are) and the default JSON
// envelope (typed messages). Both take `ws` as the WebSocket, since Node 20 has none.
import { connect, rawCodec } from '@lifeline/core'
import WebSocket from 'ws'
import { lifecycle } from './events.mjs'

function lifelineAdapter({ name, label, codec, onMessage }) {
  return {
    name,
    label,
    package: '@lifeline/core',
    reconnects: true,
    heartbeats: true,
    /** Follows window events (online, offline, ...) on an injected target: the leak test counts its listeners. */
    browserEvents: true,
    /**
     * `heartbeat`: `true` or `{ interval, timeout }`; `reconnect`: `{ initialDelay, maxDelay }`;
     * `browserEvents`: a window-like event target (Node has no window).
     */
    connect(url, { reconnect, heartbeat, browserEvents } = {}) {
      const socket = connect(url, {
        WebSocket,
        ...(codec && { codec }),
        ...(reconnect && { reconnect }),
        ...(heartbeat && { heartbeat }),
        ...(browserEvents && { browserEvents }),
      })
      const events = lifecycle()
      socket.on('open', events.opened)
      socket.on('close', events.closed)
      return {
        ready: events.ready,
        onOpen: events.onOpen,
        onClose: events.onClose,
        onMessage: (fn) => onMessage(socket, fn),
        send: (data) => socket.send('m', data),
        close: () => socket.dispose(),
      }
    },
  }
}

export const lifelineRaw = lifelineAdapter({
  name: 'lifeline-raw',
  label: 'Lifeline (rawCodec)',
  codec: rawCodec,
  onMessage: (socket, fn) => socket.on('message', fn),
})

export const lifelineJson = lifelineAdapter({
  name: 'lifeline-json',
  label: 'Lifeline (JSON)',
  codec: null,
  onMessage: (socket, fn) => socket.on('m', fn),
})
