// The samples of docs/react.md, type-checked with the package: each `// #region` appears in
// the guide as a ```tsx block, as it is (docs.test.ts checks that they agree).
import type { Socket, WebSocketConstructor } from '@lifeline/core'
import { useCallback, useEffect, useState } from 'react'

declare function App(): React.ReactNode
declare function ChatLog(): React.ReactNode
declare function fetchToken(): Promise<string>
declare function notify(text: string): void
declare const MyFakeWebSocket: WebSocketConstructor

// #region messages
// messages.ts
export interface Incoming {
  chat: { from: string; text: string }
  presence: { online: string[] }
}
export interface Outgoing {
  chat: { text: string }
  typing: { active: boolean }
  join: { room: string }
  getUser: { id: string }
}
// Reply types of requests, keyed by the outgoing type asked.
export interface Replies {
  getUser: { name: string }
}

// #endregion

// #region app-socket
import { connect } from '@lifeline/core'
import { createRoot } from 'react-dom/client'
import { SocketProvider } from '../index.js'

const socket = connect<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })

createRoot(document.getElementById('root')!).render(
  <SocketProvider socket={socket}>
    <App />
  </SocketProvider>,
)
// #endregion

// #region provider-url
function Root() {
  return (
    <SocketProvider url="wss://example.com/live" options={{ heartbeat: true }}>
      <App />
    </SocketProvider>
  )
}

// #endregion

// #region use-socket-url
import { useSocket, useSocketState } from '../index.js'

function LiveChat() {
  const socket = useSocket<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })
  const { status } = useSocketState(socket)
  return (
    <>
      <p>{status}</p>
      <button type="button" onClick={() => socket.send('chat', { text: 'hi' })}>
        Say hi
      </button>
    </>
  )
}
// #endregion

// #region sharing-key
// Defined once, outside the component: a function's identity is part of the sharing key.
const liveUrl = async () => `wss://example.com/live?token=${await fetchToken()}`

function Feed() {
  // An inline options literal is fine: the same contents give the same socket.
  const socket = useSocket<Incoming, Outgoing>(liveUrl, { heartbeat: { interval: 15_000 } })
  return <p>{useSocketState(socket).status}</p>
}

function Room({ id }: { id: string }) {
  // A new id gives new functions, so a new socket; the old one is disposed.
  const url = useCallback(async () => `wss://example.com/rooms/${id}?token=${await fetchToken()}`, [id])
  const onOpen = useCallback(
    (s: Socket<Incoming, Outgoing>) => {
      s.send('join', { room: id }) // on every (re)connect, before the queue flushes
    },
    [id],
  )
  const socket = useSocket<Incoming, Outgoing>(url, { onOpen })
  return <p>{useSocketState(socket).status}</p>
}
// #endregion

// #region use-live
// useLive.ts: the provider's socket, with your message maps
export const useLive = () => useSocket<Incoming, Outgoing, Replies>()
// #endregion

// #region use-socket-state
function ConnectionBanner() {
  const { status, attempt, queued, lastError } = useSocketState()
  if (status === 'open') return null
  return (
    <p role="status">
      {status === 'reconnecting' ? `Reconnecting (attempt ${attempt})` : status}
      {queued > 0 && `, ${queued} waiting to send`}
      {lastError && ` (${lastError.code})`}
    </p>
  )
}

// #endregion

// #region use-socket-event
import { useSocketEvent } from '../index.js'

function Notifier({ muted }: { muted: boolean }) {
  const socket = useLive()
  const [unread, setUnread] = useState(0)
  // A new handler each render; `muted` is always the current one.
  useSocketEvent(
    'chat',
    (msg) => {
      setUnread((n) => n + 1)
      if (!muted) notify(`${msg.from}: ${msg.text}`)
    },
    socket,
  )
  useSocketEvent('drop', ({ type, reason }) => console.warn(`not sent: ${type} (${reason})`), socket)
  return <span>{unread}</span>
}

// #endregion

// #region use-last-message
import { useLastMessage } from '../index.js'

function OnlineCount() {
  const presence = useLastMessage('presence', useLive())
  return <p>{presence ? `${presence.online.length} online` : 'Loading…'}</p>
}

// #endregion

// #region use-messages
import { useMessages } from '../index.js'

function ChatMessages() {
  const messages = useMessages('chat', { limit: 200 }, useLive())
  return (
    <ul>
      {messages.map((msg, i) => (
        <li key={i}>
          {msg.from}: {msg.text}
        </li>
      ))}
    </ul>
  )
}

// #endregion

// #region use-request
import { useRequest } from '../index.js'

function UserName({ id }: { id: string }) {
  const user = useRequest('getUser', useLive()) // user.data: { name: string } | undefined
  useEffect(() => void user.send({ id }), [user.send, id]) // a new id aborts the old request
  if (user.error) return <p>Could not load ({user.error.code})</p>
  return <p>{user.pending ? 'Loading…' : user.data?.name}</p>
}

function ReloadButton({ id }: { id: string }) {
  const { send, pending } = useRequest('getUser', useLive())
  return (
    <button type="button" disabled={pending} onClick={() => send({ id })}>
      Reload
    </button>
  )
}
// #endregion

// #region typing
function Composer({ socket }: { socket: Socket<Incoming, Outgoing> }) {
  useSocketEvent('chat', (msg) => msg.text, socket) // msg: { from: string; text: string }
  const last = useLastMessage('presence', socket) // { online: string[] } | undefined
  const all = useMessages('chat', {}, socket) // readonly { from: string; text: string }[]
  // @ts-expect-error: 'chatt' is not an incoming type
  useSocketEvent('chatt', () => {}, socket)
  // With the provider's socket and no socket argument, spell out the generics:
  useSocketEvent<Incoming, Outgoing, 'presence'>('presence', (p) => p.online)
  // send is checked against Outgoing:
  const say = () => socket.send('chat', { text: `${all.length} messages, ${last?.online.length} online` })
  return (
    <button type="button" onClick={say}>
      Send
    </button>
  )
}

// #endregion

// #region testing
import { render } from '@testing-library/react'

function testChatLog() {
  const socket = connect<Incoming, Outgoing>('wss://example.test/live', { WebSocket: MyFakeWebSocket })
  const view = render(
    <SocketProvider socket={socket}>
      <ChatLog />
    </SocketProvider>,
  )
  // … drive MyFakeWebSocket inside act(), assert on view …
  view.unmount()
  socket.dispose()
}
// #endregion

export const samples = [
  Root,
  LiveChat,
  Feed,
  Room,
  ConnectionBanner,
  Notifier,
  OnlineCount,
  ChatMessages,
  UserName,
  ReloadButton,
  Composer,
  testChatLog,
]
