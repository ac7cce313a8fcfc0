// The sample of packages/core/README.md, the page npm shows. The region is pasted into it as it is.
// #region example
import { connect } from '@lifeline/core'

interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  chat: { text: string }
}

const url = 'wss://example.com/live'
const socket = connect<Incoming, Outgoing>(url, { heartbeat: true })

socket.on('chat', (msg) => console.log(`${msg.from}: ${msg.text}`)) // typed
socket.on('state', (s) => console.log(s.status)) // open, reconnecting…
socket.on('drop', (d) => console.warn('not sent:', d.type, d.reason))
socket.send('chat', { text: 'hi' }) // now, or queued until the link opens

// #endregion

export { socket }
