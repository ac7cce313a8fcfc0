import { useState } from 'react'
import { type Control, FAULTS, type Fault, type Log, modeAt, type ServerStatus, trigger } from '../../shared/faults'
import { useLive } from './live'
import { useNow } from './useNow'

interface FaultsProps {
  server: ServerStatus
  control: Control
  log: Log
}

/** Buttons that break the demo server through `/control/*`. */
export function Faults({ server, control, log }: FaultsProps) {
  const socket = useLive()
  const [busy, setBusy] = useState<string | null>(null)
  const now = useNow(server.until !== null)
  const { mode, label } = modeAt(server, now)

  async function start(fault: Fault) {
    setBusy(fault.control)
    await trigger(fault, control, log, () => socket.reconnect())
    setBusy(null)
  }

  return (
    <section className="card faults-card" aria-labelledby="faults-title">
      <div className="card-head">
        <h2 id="faults-title">Break the server</h2>
        <span className="server-mode" data-mode={mode}>
          {label}
        </span>
      </div>
      <ul className="faults">
        {FAULTS.map((fault) => (
          <li key={fault.control}>
            <button
              type="button"
              className="fault"
              data-control={fault.control}
              disabled={busy === fault.control}
              onClick={() => start(fault)}
            >
              <strong>{fault.title}</strong>
              <span>{fault.text}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
