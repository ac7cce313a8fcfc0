// Samples of docs/auth.md. Each region is pasted into the guide as it is.
import { createServer } from 'node:http'
import { connect } from '@lifeline/core'
import { attach } from '@lifeline/server'
import { WebSocketServer } from 'ws'

declare const session: { accessToken(): Promise<string> }
declare function verifyJwt(token: string): Promise<{ sub: string; exp: number; banned?: boolean }>
declare function userOfSession(cookie: string | undefined): Promise<string | null>
declare function showLogin(): void

interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  chat: { text: string }
}

export function client() {
  // #region client
  const socket = connect<Incoming, Outgoing>('wss://example.com/live', {
    // Called for every link, and again before the token expires (the server says when).
    auth: () => session.accessToken(),
  })

  socket.on('error', (error) => {
    if (error.code === 'AUTH_REFUSED') showLogin() // closed with 4401 or 4403: the socket stopped
  })
  // #endregion
  return socket
}

export function server() {
  // #region server
  const wss = new WebSocketServer({ server: createServer().listen(8080), path: '/live' })

  const hub = attach<Outgoing, Incoming, {}, {}, { userId: string }>(wss, {
    authenticate: async ({ token }) => {
      const claims = await verifyJwt(String(token)) // a throw refuses the token: 4401
      if (claims.banned) throw Object.assign(new Error('banned'), { code: 'FORBIDDEN' }) // 4403
      return { data: { userId: claims.sub }, expiresAt: claims.exp * 1000 }
    },
  })

  hub.on('connection', (peer) => {
    peer.on('chat', ({ text }) => hub.broadcast('chat', { from: peer.data.userId, text }))
  })
  // #endregion
  return hub
}

export function cookies(wss: WebSocketServer) {
  // #region cookies
  // The browser sends the page's cookies with the upgrade: no token to pass, no refresh to run.
  // `origins` (by default 'same-host') keeps other sites' pages from connecting with them.
  attach<Outgoing, Incoming, {}, {}, { userId: string }>(wss, {
    origins: ['https://app.example.com'],
    onConnection: async (peer, request) => {
      const userId = await userOfSession(request.headers.cookie)
      if (!userId) return peer.close(4401, 'signed out') // the client stops: AUTH_REFUSED
      peer.data = { userId }
    },
  })
  // #endregion
}

export function cookieClient() {
  // #region cookie-client
  // No token to send: `auth` only makes the client wait for the server's accept (which comes
  // after `onConnection`) before it sends its queue, so a refused user's messages are dropped
  // with `drop` events instead of written into a link about to close.
  const socket = connect<Incoming, Outgoing>('wss://app.example.com/live', { auth: () => null })
  // #endregion
  return socket
}

export function logout(socket: ReturnType<typeof client>) {
  // #region logout
  // Signing out: end the socket; after the next sign-in, open it again (a new token is fetched).
  socket.close()
  // ... later
  socket.open()
  // #endregion
}
