// The channel clients of the channels scenarios, one shape for both libraries:
//   connect(url, { room, fast?, onMessage? }) -> { ready, received, times, gaps, opens, recovered, joined(), close() }
// `received`: the `n` of every publication delivered to the app, in the order delivered, and
// `times` when (`performance.now()`), unless `onMessage` takes them instead; `gaps`: Lifeline's `gap` events; `opens`: `performance.now()`
// of every time the link came back (Lifeline's `open`, socket.io's Manager `open`: the
// transport is up again); `recovered`: socket.io's `socket.recovered` at each reconnect;
// `joined()`: in the channel or room now (Lifeline's channel status `joined`, socket.io `connected`);
// `resumed()`: whether the last (re)join resumed where it left off (the channel's `recovered`,
// `socket.recovered`).
// `fast`: both libraries reconnect after 10–50 ms instead of their default delays.
import { connect } from '@lifeline/core'
import { channel } from '@lifeline/core/channels'
import { io } from 'socket.io-client'
import WebSocket from 'ws'

/** The reconnect delays of `fast`: a first delay of 10 ms growing to at most 50 ms, each library's own jitter. */
export const FAST = { initialDelay: 10, maxDelay: 50 }

/** Lifeline: `channel(socket, room)` on `connect(url)`, recovery on (the default). */
export const lifelineChannel = {
  name: 'lifeline',
  label: 'Lifeline',
  note: '`channel(socket, name)`: recovery on (the default), `@lifeline/server` history large enough',
  server: 'lifeline',
  connect(url, { room, fast = false, onMessage }) {
    const socket = connect(url, { WebSocket, ...(fast && { reconnect: FAST }) })
    socket.on('error', () => {})
    const received = []
    const times = []
    const gaps = []
    const opens = []
    const epochs = new Set()
    socket.on('open', () => opens.push(performance.now()))
    const handle = channel(socket, room)
    handle.on('error', () => {})
    handle.on('message', (data, { epoch, offset }) => {
      epochs.add(epoch)
      if (onMessage) return onMessage(data.n, offset)
      received.push(data.n)
      times.push(performance.now())
    })
    handle.on('gap', (gap) => gaps.push({ ...gap, at: performance.now() }))
    const ready = new Promise((resolve) => {
      const check = () => {
        if (handle.getSnapshot().status !== 'joined') return
        stop()
        resolve()
      }
      const stop = handle.subscribe(check)
      check()
    })
    return {
      ready,
      received,
      times,
      gaps,
      opens,
      epochs,
      recovered: [],
      joined: () => handle.getSnapshot().status === 'joined',
      /** The channel's `recovered`: whether its last join resumed from the position it asked for. */
      resumed: () => handle.getSnapshot().recovered,
      close: () => socket.dispose(),
    }
  },
}

/**
 * socket.io-client against a socket.io Server with connection state recovery, WebSocket transport
 * only on both sides; it joins the room named in `auth.room` on every connection (see
 * ./channelServer.mjs). Otherwise the client's defaults (reconnection on, 1 s ± 50 %, doubling to 5 s).
 */
export const socketIoRoom = {
  name: 'socket.io',
  label: 'socket.io',
  note: '`io.to(room).emit(…)`, `connectionStateRecovery` on the server, default client',
  server: 'socket.io',
  connect(url, { room, fast = false, onMessage }) {
    const socket = io(url.replace(/^ws/, 'http'), {
      transports: ['websocket'],
      forceNew: true,
      auth: { room },
      ...(fast && { reconnectionDelay: FAST.initialDelay, reconnectionDelayMax: FAST.maxDelay }),
    })
    const received = []
    const times = []
    const opens = []
    const recovered = []
    socket.io.on('open', () => opens.push(performance.now()))
    let connects = 0
    socket.on('connect', () => {
      if (connects++ > 0) recovered.push(socket.recovered)
    })
    socket.on('pub', (data) => {
      if (onMessage) return onMessage(data.n)
      received.push(data.n)
      times.push(performance.now())
    })
    const ready = new Promise((resolve) => socket.once('connect', () => resolve()))
    return {
      ready,
      received,
      times,
      gaps: [],
      opens,
      epochs: new Set(),
      recovered,
      joined: () => socket.connected,
      resumed: () => socket.recovered,
      close: () => socket.close(),
    }
  },
}

export const channelClients = [lifelineChannel, socketIoRoom]
