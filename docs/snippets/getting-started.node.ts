// Samples of docs/getting-started.md. Each region is pasted into the guide as it is.
import { connect } from '@lifeline/core'
// #region node
import WebSocket from 'ws'

const socket = connect('ws://127.0.0.1:8080/live', { WebSocket })

// #endregion

export { socket }
