// The React sample of docs/migrating.md.
import { useLastMessage, useSocket, useSocketState } from '@lifeline/react'

// #region react-use-websocket
// Before: const { sendJsonMessage, lastJsonMessage, readyState } = useWebSocket('wss://example.com/feed',
//   { share: true, shouldReconnect: () => true, reconnectAttempts: 10, reconnectInterval: 3000,
//     heartbeat: { message: 'ping', returnMessage: 'pong', interval: 25_000, timeout: 60_000 } })
function Price() {
  const socket = useSocket<Incoming, Outgoing>('wss://example.com/feed', {
    reconnect: { initialDelay: 3000, maxAttempts: 10 }, // shared by every component with the same url + options
    heartbeat: { interval: 25_000, timeout: 60_000 },
  })
  const { status } = useSocketState(socket) // readyState
  const price = useLastMessage('price', socket) // lastJsonMessage, typed
  return (
    <button type="button" onClick={() => socket.send('subscribe', { symbol: 'BTC' })}>
      {status}: {price?.value}
    </button>
  )
}
// #endregion

interface Incoming {
  price: { symbol: string; value: number }
}
interface Outgoing {
  subscribe: { symbol: string }
}

export { Price }
