import { useState } from 'react'
import { seconds } from './format'
import { useLive } from './live'
import { useNow } from './useNow'
import type { ServerStatus } from './useServer'

const FAULTS = [
  { control: 'crash', title: 'Crash', text: 'Destroy every socket: the browser sees 1006, no close frame.' },
  { control: 'restart', title: 'Restart', text: 'Close every client politely with 1001 going away.' },
  {
    control: 'stop',
    seconds: 5,
    title: 'Stop 5 s',
    text: 'Close with 1012 and refuse handshakes (503): watch the backoff grow.',
  },
  {
    control: 'blackhole',
    seconds: 10,
    title: 'Black hole 10 s',
    text: 'Sockets stay open but nothing comes back: only the heartbeat can tell.',
  },
  {
    control: 'reject',
    seconds: 5,
    thenReconnect: true,
    title: 'Reject 4401 for 5 s',
    text: 'Refuse new handshakes as unauthorized, then reconnect into it: 4400–4499 are not retried.',
  },
]

const MODES: Record<ServerStatus['mode'], string> = {
  normal: 'server ok',
  stopped: 'stopped',
  blackhole: 'black hole',
  rejecting: 'rejecting 4401',
}

interface FaultsProps {
  server: ServerStatus
  control: (action: string, seconds?: number) => Promise<number>
  log: (kind: string, text: string) => void
}

/** Buttons that break the demo server through `/control/*`. */
export function Faults({ server, control, log }: FaultsProps) {
  const socket = useLive()
  const [busy, setBusy] = useState<string | null>(null)
  const now = useNow(server.until !== null)
  const left = (server.until ?? 0) - now
  const mode = server.mode !== 'normal' && left <= 0 ? 'normal' : server.mode

  async function trigger(fault: (typeof FAULTS)[number]) {
    setBusy(fault.control)
    try {
      const affected = await control(fault.control, fault.seconds)
      const span = fault.seconds ? ` for ${fault.seconds} s` : ''
      log('server', `${fault.control}${span} · ${affected} socket${affected === 1 ? '' : 's'} affected`)
      if (fault.thenReconnect) socket.reconnect()
    } catch (error) {
      log('error', `control/${fault.control} failed: ${(error as Error).message}`)
    } finally {
      setBusy(null)
    }
  }

  return (
    <section className="card faults-card" aria-labelledby="faults-title">
      <div className="card-head">
        <h2 id="faults-title">Break the server</h2>
        <span className="server-mode" data-mode={mode}>
          {MODES[mode]}
          {mode !== 'normal' && ` · ${seconds(left)}`}
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
              onClick={() => trigger(fault)}
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
