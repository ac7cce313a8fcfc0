import { useSocketState } from '@lifeline/react'
import { describe, LABELS, metrics } from '../../shared/format'
import { useLive } from './live'
import { useNow } from './useNow'

/** The socket's state, straight from its snapshot, and the buttons that drive it. */
export function StatusCard() {
  const socket = useLive()
  const state = useSocketState(socket)
  const now = useNow(state.nextRetryAt !== null)
  const down = state.status === 'closed' || state.status === 'idle'

  return (
    <section className="card status-card" data-status={state.status} aria-labelledby="status">
      <div className="status-head">
        <span className="status-dot" aria-hidden="true" />
        <h1 className="status-word" id="status" aria-live="polite">
          {LABELS[state.status]}
        </h1>
      </div>
      <p className="status-detail">{describe(state)}</p>

      <dl className="metrics">
        {metrics(state, now).map((metric) => (
          <div key={metric.label} className="metric">
            <dt>{metric.label}</dt>
            <dd>{metric.value}</dd>
          </div>
        ))}
      </dl>

      <div className="actions">
        {/* From closed, reconnect() connects: both buttons work in every status. */}
        <button type="button" className="button" onClick={() => socket.reconnect()}>
          Reconnect now
        </button>
        <button type="button" className="button" onClick={() => (down ? socket.open() : socket.close())}>
          {down ? 'Connect' : 'Close'}
        </button>
      </div>
      <p className="fine">
        <code>{'<SocketProvider url="/live" options={{ heartbeat: … }}>'}</code>
      </p>
    </section>
  )
}
