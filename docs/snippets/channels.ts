// Samples of docs/channels.md. Each region is pasted into the guide as it is.
import { connect, type LifelineError } from '@lifeline/core'

declare function render(line: ChatLine, offset?: number): void
declare function reloadFromApi(): Promise<void>

// #region basics
import { channel } from '@lifeline/core/channels'

interface ChatLine {
  from: string
  text: string
}

const socket = connect('wss://example.com/live', { heartbeat: true })
const room = channel<ChatLine>(socket, 'room:42') // joins now, and again on every new link
room.on('message', (line, { offset }) => render(line, offset)) // each publication once, in order
room.on('gap', () => reloadFromApi()) // the history did not reach back: say so
const { offset } = await room.publish({ from: 'ann', text: 'hi' })
// #endregion

export function status() {
  // #region snapshot
  const { status, epoch, offset, recovered, error } = room.getSnapshot()
  // status: 'joining' | 'joined' | 'left' | 'failed'
  const stop = room.subscribe(() => console.log(room.getSnapshot().status))
  // #endregion
  return { status, epoch, offset, recovered, error, stop }
}

export function gaps() {
  // #region gap
  room.on('gap', async ({ reason, from, to }) => {
    // Offsets from..to (in the channel's current epoch) will never arrive: read them elsewhere.
    console.warn(`missed ${from}..${to} (${reason})`)
    await reloadFromApi()
  })
  // #endregion
}

export function stored() {
  // #region stored
  const key = 'room:42 position'
  const saved = localStorage.getItem(key)
  const resumed = channel<ChatLine>(socket, 'room:42', saved ? { since: JSON.parse(saved) } : {})
  resumed.on('message', (line, position) => {
    render(line)
    localStorage.setItem(key, JSON.stringify(position)) // after the line is handled, not before
  })
  // #endregion
}

export function refused() {
  // #region refused
  room.on('error', (error) => {
    if (error.code === 'JOIN_REFUSED') showForbidden() // status stays 'failed' until room.rejoin()
  })
  room.publish({ from: 'ann', text: 'hi' }).catch((error: LifelineError) => {
    if (error.code === 'PUBLISH_REFUSED') showReadOnly()
  })
  room.leave() // the last handle of this name on the socket sends $leave
  // #endregion
}

declare function showForbidden(): void
declare function showReadOnly(): void

export { offset }
