// Samples of docs/fallback.md. Each region is pasted into the guide as it is.
import { createServer, type RequestListener } from 'node:http'
import { connect } from '@lifeline/core'
import { FallbackWebSocket } from '@lifeline/core/fallback'
import { attach } from '@lifeline/server'
import { redisAdapter } from '@lifeline/server/redis'
import { WebSocketServer } from 'ws'

declare const app: RequestListener
declare const url: string

export function client() {
  // #region client
  const socket = connect('wss://example.com/live', { WebSocket: FallbackWebSocket })
  socket.on('open', () => console.log('open')) // the same Socket, whichever transport it took
  // #endregion
  return socket
}

export function options() {
  // #region options
  connect(url, {
    WebSocket: FallbackWebSocket.with({
      openTimeout: 5000, // wait 5 s for a WebSocket before HTTP (default 3 s)
      probeInterval: 60_000, // while on HTTP, try a WebSocket every minute (default 30 s)
    }),
  })
  // #endregion
}

export function server() {
  // #region server
  const http = createServer(app) // your app keeps every request that is not the fallback's
  const hub = attach(new WebSocketServer({ server: http, path: '/live' }))
  http.listen(8080)
  // #endregion
  return hub
}

export function noServer() {
  // #region no-server
  const wss = new WebSocketServer({ noServer: true })
  const hub = attach(wss)
  const http = createServer((req, res) => {
    if (req.url?.startsWith('/live') && hub.handleRequest(req, res)) return
    app(req, res)
  })
  // #endregion
  return http
}

export function balanced() {
  // #region balancer
  const http = createServer(app)
  attach(new WebSocketServer({ server: http, path: '/live' }), {
    adapter: redisAdapter({ url: 'redis://redis:6379' }), // POSTs that land on another instance are forwarded
  })
  // #endregion
}

export function transports() {
  const hub = server()
  // #region stats
  const { websocket, http } = hub.stats().transports // peers connected now, by transport
  // #endregion
  return websocket + http
}
