// Samples of docs/close-codes.md. Each region is pasted into the guide as it is.
import { connect, defaultShouldReconnect, type Socket } from '@lifeline/core'
import type { WebSocketServer } from 'ws'

declare function fetchSocketToken(): Promise<string>
declare function redirectToLogin(): void
declare function isValidToken(token: string | null): boolean

export function rateLimited() {
  // #region rate-limited
  const socket = connect('wss://example.com/live', {
    reconnect: {
      // Our server closes with 4429 when a client reconnects too often: wait and retry.
      shouldReconnect: (close) => close.code === 4429 || defaultShouldReconnect(close),
    },
  })
  // #endregion
  return socket
}

export function expiredToken() {
  // #region expired-token
  // 4401: the token expired. The URL function fetches a new one, so retry, but at most twice
  // in a row (`attempt` counts failures since the last stable link).
  const socket: Socket = connect(
    async () => `wss://example.com/live?token=${encodeURIComponent(await fetchSocketToken())}`,
    {
      reconnect: {
        shouldReconnect: (close) =>
          close.code === 4401 ? socket.getSnapshot().attempt < 2 : defaultShouldReconnect(close),
      },
    },
  )

  socket.on('close', ({ code, willReconnect }) => {
    if (code === 4401 && !willReconnect) redirectToLogin()
  })
  // #endregion
  return socket
}

export function userClose(socket: Socket) {
  // #region user-close
  socket.close() // 1000, no reason
  socket.close(4000, 'logged out') // an application code and a reason of at most 123 bytes
  // socket.close(1001) throws INVALID_OPTIONS: browsers only let a page send 1000 and 3000–4999
  // #endregion
}

export function lastClose(socket: Socket) {
  // #region last-close
  const { status, lastClose } = socket.getSnapshot()
  if (status === 'closed' && lastClose?.code === 4401) redirectToLogin()
  // #endregion
}

export function serverSide(wss: WebSocketServer) {
  // #region server
  const MAX_CLIENTS = 10_000

  wss.on('connection', (ws, request) => {
    // Refusing the handshake with HTTP 401 would reach the browser as a bare 1006, which is
    // retried. Accept, then close with a code the client understands.
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token')
    if (!isValidToken(token)) return ws.close(4401, 'unauthorized')
    if (wss.clients.size > MAX_CLIENTS) return ws.close(1013, 'try again later')
    // … serve the client
  })

  // On shutdown: tell clients to come back (1012, service restart).
  process.on('SIGTERM', () => {
    for (const ws of wss.clients) ws.close(1012, 'restarting')
    wss.close()
  })
  // #endregion
}
