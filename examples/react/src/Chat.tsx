import { useLastMessage, useMessages, useSocketEvent, useSocketState } from '@lifeline/react'
import { type FormEvent, useEffect, useRef, useState } from 'react'
import { BADGES, isOwn, nextId, savedName, saveName, type Unconfirmed } from '../../shared/chat'
import { clock } from '../../shared/format'
import type { ChatMessage } from '../../shared/live'
import { useLive } from './live'

/** The chat: what the server broadcast (`useMessages`), plus ours on their way to it. */
export function Chat() {
  const socket = useLive()
  const { status } = useSocketState(socket)
  const messages = useMessages('chat', { limit: 200 }, socket)
  const presence = useLastMessage('presence', socket)
  const [name, setName] = useState(savedName)
  const [draft, setDraft] = useState('')
  const [outbox, setOutbox] = useState<Unconfirmed[]>([])
  const list = useRef<HTMLOListElement>(null)

  // Say who we are on every (re)connect, and again when the name changes.
  useEffect(() => {
    if (status === 'open') socket.send('hello', { name })
  }, [socket, status, name])

  // The echo of a message of ours: the server has it, and `messages` shows it.
  useSocketEvent('chat', ({ id }) => setOutbox((all) => all.filter((m) => m.id !== id)), socket)
  // The queue has just been flushed into the new link.
  useSocketEvent(
    'open',
    () => setOutbox((all) => all.map((m) => (m.state === 'queued' ? { ...m, state: 'sending' } : m))),
    socket,
  )
  // Left the queue unsent, e.g. the socket was closed for good.
  useSocketEvent(
    'drop',
    ({ data }) => {
      const { id } = data as { id?: string }
      setOutbox((all) => all.map((m) => (m.id === id ? { ...m, state: 'dropped' } : m)))
    },
    socket,
  )

  // Until the render that drops it from the outbox, an echoed message would show twice.
  const echoed = new Set(messages.map((m) => m.id))
  const waiting = outbox.filter((m) => !echoed.has(m.id))

  useEffect(() => {
    list.current?.scrollTo({ top: list.current.scrollHeight })
  }, [messages, outbox])

  function send(event: FormEvent) {
    event.preventDefault()
    const text = draft.trim()
    if (!text) return
    const id = nextId()
    const result = socket.send('chat', { text, from: name, id }) // 'sent' | 'queued' | 'dropped'
    setOutbox((all) => [...all, { id, text, at: Date.now(), state: result === 'sent' ? 'sending' : result }])
    setDraft('')
  }

  function rename(value: string) {
    const next = saveName(value, name)
    if (next) setName(next)
  }

  return (
    <section className="card chat-card" aria-labelledby="chat-title">
      <div className="card-head">
        <h2 id="chat-title">Chat</h2>
        <ul className={status === 'open' ? 'online' : 'online stale'} aria-label="Online">
          {presence?.online.map((who, i) => (
            <li key={`${who}-${i}`} className={who === name ? 'me' : undefined}>
              {who}
            </li>
          ))}
        </ul>
      </div>
      <ol className="messages" ref={list} aria-live="polite">
        {messages.length + waiting.length === 0 && (
          <li className="empty">No messages yet. Open this page in a second tab and say hello.</li>
        )}
        {messages.map((m) => (
          <Message key={m.seq} message={m} own={isOwn(m)} state="delivered" />
        ))}
        {waiting.map((m) => (
          <Message key={m.id} message={{ ...m, from: name }} own state={m.state} />
        ))}
      </ol>
      <form className="composer" onSubmit={send} autoComplete="off">
        <label className="visually-hidden" htmlFor="name">
          Your name
        </label>
        <input id="name" maxLength={32} placeholder="Name" defaultValue={name} onBlur={(e) => rename(e.target.value)} />
        <label className="visually-hidden" htmlFor="text">
          Message
        </label>
        <input
          id="text"
          maxLength={1000}
          placeholder="Type a message — even while offline"
          required
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" className="button primary">
          Send
        </button>
      </form>
    </section>
  )
}

interface MessageProps {
  message: Pick<ChatMessage, 'from' | 'text' | 'at'>
  own: boolean
  state: Unconfirmed['state'] | 'delivered'
}

function Message({ message, own, state }: MessageProps) {
  const badge = state === 'delivered' ? '' : BADGES[state]
  return (
    <li className={own ? 'message own' : 'message'} data-state={state}>
      <div className="meta">
        <strong>{message.from}</strong>
        <time>{clock(message.at)}</time>
        {badge && <span className="badge">{badge}</span>}
      </div>
      <p>{message.text}</p>
    </li>
  )
}
