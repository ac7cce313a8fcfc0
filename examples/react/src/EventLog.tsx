import { useSocketEvent } from '@lifeline/react'
import { useCallback, useState } from 'react'
import { LIFECYCLE, type LogEntry, prepend } from '../../shared/eventLog'
import { clock } from '../../shared/format'
import { useLive } from './live'

/** The socket's lifecycle events as they happen (`useSocketEvent`), newest first; `log` adds the app's own. */
export function useEventLog() {
  const socket = useLive()
  const [entries, setEntries] = useState<LogEntry[]>([])
  const log = useCallback((kind: string, text: string) => setEntries((all) => prepend(all, kind, text)), [])

  useSocketEvent('open', (e) => log(...LIFECYCLE.open(e)), socket)
  useSocketEvent('close', (e) => log(...LIFECYCLE.close(e)), socket)
  useSocketEvent('error', (e) => log(...LIFECYCLE.error(e)), socket)
  useSocketEvent('reconnecting', (e) => log(...LIFECYCLE.reconnecting(e)), socket)
  useSocketEvent('drop', (e) => log(...LIFECYCLE.drop(e)), socket)

  return { entries, log, clear: () => setEntries([]) }
}

export function EventLog({ entries, clear }: { entries: LogEntry[]; clear: () => void }) {
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
