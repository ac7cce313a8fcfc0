// Samples of docs/migrating.md. Each region is pasted into the guide as it is; the declarations at
// the end stand for what the app provides.
import { connect } from '@lifeline/core'
import { LifelineWebSocket } from '@lifeline/core/websocket'
import { useLastMessage, useSocket, useSocketState } from '@lifeline/vue'

export function plain() {
  // #region plain
  // Before: const ws = new WebSocket('wss://example.com/feed')
  const ws = new LifelineWebSocket('wss://example.com/feed')
  ws.onopen = () => ws.send('subscribe:BTC') // runs again after every reconnect
  ws.onmessage = (event) => render(event.data)
  ws.onclose = (event) => showOffline(event.code) // once per drop; `open` follows when it is back
  ws.send('hello') // before open: queued, not an InvalidStateError
  // #endregion
}

export function options() {
  // #region rws
  // Before: new ReconnectingWebSocket(url, [], { minReconnectionDelay: 1000, maxReconnectionDelay: 10_000,
  //   reconnectionDelayGrowFactor: 1.3, minUptime: 5000, connectionTimeout: 4000, maxRetries: 10,
  //   maxEnqueuedMessages: 100 })
  const ws = new LifelineWebSocket('wss://example.com/feed', [], {
    reconnect: { initialDelay: 1000, maxDelay: 10_000, factor: 1.3, stableAfter: 5000, maxAttempts: 10 },
    connectTimeout: 4000,
    queue: { maxMessages: 100 },
  })
  ws.socket.reconnect() // ws.reconnect()
  ws.socket.on('reconnecting', ({ attempt }) => console.log('retry', attempt)) // ws.retryCount
  // #endregion
}

// #region subclass
// graphql-ws, y-websocket, Phoenix: they reconnect by themselves and construct with two arguments.
class PlainWebSocket extends LifelineWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { reconnect: false, heartbeat: { interval: 15_000, timeout: 5000, ping: () => 'ping' } })
  }
}
// createClient({ url, webSocketImpl: PlainWebSocket })
// new WebsocketProvider(url, room, doc, { WebSocketPolyfill: PlainWebSocket })
// #endregion

export function party(host: string, room: string) {
  // #region partysocket
  // Before: new PartySocket({ host, room, query: async () => ({ token: await getToken() }) })
  const socket = connect(
    async () => `wss://${host}/parties/main/${room}?${new URLSearchParams({ token: await getToken() })}`,
    { heartbeat: true },
  )
  socket.on('message', (message) => render(message))
  // #endregion
  return socket
}

export function useFeedVue() {
  // #region vueuse
  // Before: const { status, data, send } = useWebSocket('wss://example.com/feed',
  //   { autoReconnect: { retries: 5, delay: 1000 }, heartbeat: { message: 'ping', interval: 25_000, pongTimeout: 10_000 } })
  const socket = useSocket<Incoming, Outgoing>('wss://example.com/feed', {
    reconnect: { initialDelay: 1000, maxAttempts: 5 },
    heartbeat: { interval: 25_000, timeout: 10_000 },
  })
  const { status } = useSocketState(socket) // 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'
  const price = useLastMessage('price', socket) // data, decoded and typed
  socket.send('subscribe', { symbol: 'BTC' }) // send(), queued while not open
  // #endregion
  return { status, price }
}

interface Incoming {
  price: { symbol: string; value: number }
}
interface Outgoing {
  subscribe: { symbol: string }
}
declare function render(data: unknown): void
declare function showOffline(code: number): void
declare function getToken(): Promise<string>

export { PlainWebSocket }
