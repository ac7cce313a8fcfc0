// The sample of packages/react/README.md, the page npm shows. The region is pasted into it as it is.
// #region example
import { SocketProvider, useMessages, useSocket, useSocketState } from '@lifeline/react'

interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  chat: { text: string }
}

function Chat() {
  const socket = useSocket<Incoming, Outgoing>()
  const { status } = useSocketState(socket)
  const messages = useMessages('chat', { limit: 50 }, socket) // none lost to batching
  return (
    <div>
      <p>{status}</p>
      {messages.map((m, i) => (
        <p key={i}>
          {m.from}: {m.text}
        </p>
      ))}
      <button type="button" onClick={() => socket.send('chat', { text: 'hi' })}>
        Send
      </button>
    </div>
  )
}

export const App = () => (
  <SocketProvider url="wss://example.com/live" options={{ heartbeat: true }}>
    <Chat />
  </SocketProvider>
)
// #endregion
