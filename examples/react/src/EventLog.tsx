import { useSocketEvent } from '@lifeline/react'
import { useCallback, useState } from 'react'
import { clock, closeText, seconds } from './format'
import { useLive } from './live'

interface Entry {
  key: number
  at: number
  kind: string
  text: string
}

const LIMIT = 60
let keys = 0

/** The socket's lifecycle events as they happen (`useSocketEvent`), newest first; `log` adds the app's own. */
export function useEventLog() {
  const socket = useLive()
  const [entries, setEntries] = useState<Entry[]>([])
  const log = useCallback((kind: string, text: string) => {
    setEntries((all) => [{ key: ++keys, at: Date.now(), kind, text }, ...all].slice(0, LIMIT))
  }, [])

  useSocketEvent('open', () => log('open', 'link up, queue flushed'), socket)
  useSocketEvent(
    'close',
    (e) => log('close', `${closeText(e)} · ${e.willReconnect ? 'will reconnect' : 'will not reconnect'}`),
    socket,
  )
  useSocketEvent('error', (error) => log('error', `${error.code} · ${error.message}`), socket)
  useSocketEvent('reconnecting', ({ attempt, delay }) => log('retry', `retry ${attempt} in ${seconds(delay)}`), socket)
  useSocketEvent('drop', ({ type, reason }) => log('drop', `${type ?? 'frame'} dropped (${reason})`), socket)

  return { entries, log, clear: () => setEntries([]) }
}

export function EventLog({ entries, clear }: { entries: Entry[]; clear: () => void }) {
  return (
    <section className="card log-card" aria-labelledby="log-title">
      <div className="card-head">
        <h2 id="log-title">Events</h2>
        <button type="button" className="link" onClick={clear}>
          Clear
        </button>
      </div>
      <ol className="log">
        {entries.map((entry) => (
          <li key={entry.key} className={`log-${entry.kind}`}>
            <time>{clock(entry.at)}</time>
            <span className="log-kind">{entry.kind}</span>
            <span className="log-text">{entry.text}</span>
          </li>
        ))}
      </ol>
    </section>
  )
}
