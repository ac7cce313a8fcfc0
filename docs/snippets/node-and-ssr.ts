// Samples of docs/node-and-ssr.md. Each region is pasted into the guide as it is.
// #region node
import { connect } from '@lifeline/core'
import WebSocket from 'ws'

const socket = connect<Incoming, Outgoing>('ws://127.0.0.1:8080/live', { WebSocket, heartbeat: true })

// #endregion

import type { BrowserEventTarget, Socket } from '@lifeline/core'

interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  chat: { text: string }
}

declare function fetchServiceToken(): Promise<string>
declare function onLogin(callback: () => void): void
declare function onLogout(callback: () => void): void
declare const log: { debug(message: string): void; warn(message: string): void }

// The parts of @react-native-community/netinfo and react-native's AppState used below.
declare const NetInfo: {
  addEventListener(listener: (state: { isConnected: boolean | null }) => void): () => void
}
declare const AppState: {
  currentState: string
  addEventListener(type: 'change', listener: (state: string) => void): { remove(): void }
}

// #region headers
let token = ''

/** `ws` with an Authorization header and a size limit. Lifeline calls it with (url, protocols). */
class AuthorizedWebSocket extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, { headers: { Authorization: `Bearer ${token}` }, maxPayload: 1_048_576 })
  }
}

const service = connect<Incoming, Outgoing>(
  async () => {
    token = await fetchServiceToken() // before every attempt, so each one has a fresh token
    return 'wss://example.com/live'
  },
  { WebSocket: AuthorizedWebSocket, heartbeat: true },
)
// #endregion

// #region shutdown
process.once('SIGTERM', () => {
  socket.dispose() // closes with 1000 and clears every timer, so the process can exit
  service.dispose()
})
// #endregion

// #region react-native
// NetInfo comes from @react-native-community/netinfo, AppState from react-native.
/** React Native's network and app state, fed to Lifeline as `online`, `offline` and `visibilitychange`. */
function nativeEvents(): BrowserEventTarget {
  const listeners = new Map<string, Set<() => void>>()
  const on = (type: string, listener: () => void) => {
    listeners.set(type, (listeners.get(type) ?? new Set()).add(listener))
  }
  const off = (type: string, listener: () => void) => {
    listeners.get(type)?.delete(listener)
  }
  const fire = (type: string) => {
    for (const listener of listeners.get(type) ?? []) listener()
  }
  NetInfo.addEventListener(({ isConnected }) => {
    if (isConnected !== null) fire(isConnected ? 'online' : 'offline')
  })
  AppState.addEventListener('change', () => fire('visibilitychange'))
  return {
    addEventListener: on,
    removeEventListener: off,
    document: {
      get visibilityState() {
        return AppState.currentState === 'active' ? 'visible' : 'hidden'
      },
      addEventListener: on,
      removeEventListener: off,
    },
  }
}

const mobile = connect<Incoming, Outgoing>('wss://example.com/live', {
  heartbeat: true,
  browserEvents: nativeEvents(),
})
// #endregion

// #region lazy
let shared: Socket<Incoming, Outgoing> | undefined

/** The app's socket, made on first use. Call it from code that runs in the browser only. */
export function getSocket(): Socket<Incoming, Outgoing> {
  shared ??= connect<Incoming, Outgoing>('/live', { heartbeat: true })
  return shared
}
// #endregion

export function deferred() {
  // #region deferred
  const later = connect<Incoming, Outgoing>('/live', { autoConnect: false })
  later.send('chat', { text: 'hello' }) // 'queued': the status stays 'idle' until open()

  onLogin(() => later.open()) // connects; does nothing if already connecting or open
  onLogout(() => later.close(4000, 'logged out')) // queued messages drop with reason 'closed'
  // #endregion
  return later
}

export function logging() {
  // #region logging
  // `true` logs to the console; or pass any object with some of debug, info, warn and error.
  const logged = connect<Incoming, Outgoing>('wss://example.com/live?token=s3cret', {
    logger: {
      debug: (...args) => log.debug(args.join(' ')),
      warn: (...args) => log.warn(args.join(' ')),
    },
    logSensitive: process.env.NODE_ENV === 'development', // full URLs and payloads, locally only
  })
  // #endregion
  return logged
}

export { mobile }
