// Samples of docs/getting-started.md. Each region is pasted into the guide as it is.
// #region connect
import { connect } from '@lifeline/core'

const socket = connect('wss://example.com/live')
socket.on('open', () => console.log('connected'))
socket.on('message', (message) => console.log(message))

// #endregion

export { socket }
