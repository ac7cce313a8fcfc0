// Samples of docs/tabs.md. Each region is pasted into the guide as it is.
// #region import
import { connectShared } from '@lifeline/core/tabs'

// #endregion

declare function render(chat: { from: string; text: string }): void
declare function getToken(): string
declare function fetchSocketToken(): Promise<string>
declare const badge: HTMLElement
declare const currentRoom: string

// #region maps
interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  chat: { text: string }
  getUser: { id: string }
  auth: { token: string }
  join: { room: string }
}
interface Replies {
  getUser: { name: string }
}

// #endregion
export type { Incoming, Outgoing, Replies }

export async function shared() {
  // #region connect
  const socket = connectShared<Incoming, Outgoing, Replies>('wss://example.com/live', {
    heartbeat: true,
    channel: 'chat', // which tabs share one connection; by default, the URL
  })

  socket.on('chat', (msg) => render(msg)) // in every tab
  socket.send('chat', { text: 'hi' }) // from this tab, through the leader; 'sent' | 'queued' | 'dropped'
  const user = await socket.request('getUser', { id: '42' }) // answered in this tab only
  // #endregion
  return user
}

export function panel() {
  const socket = connectShared<Incoming, Outgoing>('wss://example.com/live', { channel: 'chat' })
  // #region panel
  socket.subscribe(() => {
    const { status, leader = true, tabs = 1 } = socket.getSnapshot()
    badge.textContent = leader
      ? `${status} · this tab holds the connection for ${tabs} tab(s)`
      : `${status} · ${tabs} tabs share one connection`
  })
  // #endregion
}

export function functionUrl() {
  // #region function-url
  // A URL function is called by whichever tab leads, before each attempt: name the channel.
  const socket = connectShared(() => `wss://example.com/live?token=${getToken()}`, { channel: 'live' })
  // #endregion
  return socket
}

export function setup() {
  // #region setup
  const socket = connectShared<Incoming, Outgoing>('wss://example.com/live', {
    // Runs in the leader tab, on every (re)connect: what the connection needs, once.
    onOpen: async (s) => {
      s.send('auth', { token: await fetchSocketToken() })
    },
  })
  // What each tab needs on every connection (its own subscriptions) goes in its `open` handler,
  // which also runs after the leader changes.
  socket.on('open', () => socket.send('join', { room: currentRoom }))
  // #endregion
  return socket
}
