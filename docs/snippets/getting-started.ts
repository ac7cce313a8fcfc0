// Samples of docs/getting-started.md. Each region is pasted into the guide as it is.
import { connect } from '@lifeline/core'

declare function render(from: string, text: string): void
declare const banner: HTMLElement

// #region typed
interface Incoming {
  chat: { from: string; text: string }
  presence: { online: string[] }
}
interface Outgoing {
  chat: { text: string }
  typing: { active: boolean }
}

const socket = connect<Incoming, Outgoing>('wss://example.com/live')
socket.on('chat', (msg) => render(msg.from, msg.text)) // msg: { from: string; text: string }
socket.send('typing', { active: true }) // checked against Outgoing
// #endregion

// #region state
socket.subscribe(() => {
  const { status, nextRetryAt } = socket.getSnapshot()
  banner.textContent =
    status === 'reconnecting' ? `Reconnecting in ${Math.ceil((nextRetryAt! - Date.now()) / 1000)} s` : status
})
// #endregion

export function closing() {
  // #region closing
  socket.close() // for good: no reconnect; queued messages are dropped with reason 'closed'
  socket.dispose() // close, then remove every listener and timer
  // #endregion
}
