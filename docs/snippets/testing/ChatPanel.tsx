// A sample of docs/testing.md: the React chat component its test renders.
// #region react-component
// ChatPanel.tsx
import { useMessages, useSocket, useSocketState } from '@lifeline/react'
import { useState } from 'react'
import type { Incoming, Outgoing } from './chat'

export function ChatPanel() {
  const socket = useSocket<Incoming, Outgoing>()
  const { status } = useSocketState(socket)
  const messages = useMessages('chat', { limit: 50 }, socket)
  const [text, setText] = useState('')
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault()
        socket.send('chat', { text })
        setText('')
      }}
    >
      <p role="status">{status}</p>
      <ul>
        {messages.map((msg, i) => (
          <li key={i}>
            {msg.from}: {msg.text}
          </li>
        ))}
      </ul>
      <input aria-label="Message" value={text} onChange={(event) => setText(event.target.value)} />
      <button type="submit">Send</button>
    </form>
  )
}
// #endregion
