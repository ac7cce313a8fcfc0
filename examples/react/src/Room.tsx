import { useChannel } from '@lifeline/react'
import { type FormEvent, useState } from 'react'
import { savedName } from '../../shared/chat'
import { LOBBY, type RoomLine, roomLabel, serverPublishes } from '../../shared/rooms'
import { useLive } from './live'

/** The lobby, a channel: its lines (replayed after a drop), and a line of ours published into it. */
export function Room() {
  const { status, messages, recovered, error, publish } = useChannel<RoomLine>(LOBBY, { limit: 50 }, useLive())
  const [draft, setDraft] = useState('')

  function send(event: FormEvent) {
    event.preventDefault()
    const text = draft.trim()
    if (!text) return
    publish({ from: savedName(), text, at: Date.now() }).catch(() => {}) // refusals show as `error`
    setDraft('')
  }

  return (
    <section className="card rooms-card" aria-labelledby="rooms-title">
      <div className="card-head">
        <h2 id="rooms-title">Room · lobby</h2>
        <span className="room-state" data-status={status} data-recovered={String(status === 'joined' && recovered)}>
          {roomLabel(status, recovered, error)}
        </span>
      </div>
      <ol className="room-lines" aria-live="polite">
        {messages.length === 0 && <li className="empty">No lines yet.</li>}
        {messages.map((line, i) => (
          // A new array per publication, oldest first: the index is the line's place in the window.
          <li className="room-line" key={i}>
            <strong>{line.from}</strong>
            <span className="room-text">{line.text}</span>
          </li>
        ))}
      </ol>
      <form className="composer room-composer" onSubmit={send} autoComplete="off">
        <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="Publish a line" required />
        <button type="submit" className="button primary">
          Publish
        </button>
      </form>
      <div className="actions">
        <button type="button" className="button" onClick={() => void serverPublishes(3).catch(() => {})}>
          Server publishes 3
        </button>
      </div>
    </section>
  )
}
