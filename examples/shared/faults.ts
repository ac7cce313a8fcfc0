// The demo server's fault switches, and the `/control/*` calls behind them.
import { seconds } from './format'

type Mode = 'normal' | 'stopped' | 'blackhole' | 'rejecting'

/** The demo server's fault mode, as `/control/*` reports it. */
export interface ServerStatus {
  mode: Mode
  /** When the timed fault ends (epoch ms). */
  until: number | null
  /** Which framework demos the server has built, e.g. `{ react: true, vue: false }`. */
  demos?: Record<string, boolean>
}

/** The demo server's fault switches (`POST /control/<control>?seconds=…`). */
export interface Fault {
  control: string
  seconds?: number
  /** Reconnect right after, into the fault. */
  thenReconnect?: boolean
  title: string
  text: string
}

export const FAULTS: Fault[] = [
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

const MODES: Record<Mode, string> = {
  normal: 'server ok',
  stopped: 'stopped',
  blackhole: 'black hole',
  rejecting: 'rejecting 4401',
}

/**
 * The mode to show at `now` (a timed fault whose time is up shows as over before the next poll
 * says so), and its label: `black hole · 4.2 s`.
 */
export function modeAt(server: ServerStatus, now: number): { mode: Mode; label: string } {
  const left = (server.until ?? 0) - now
  const mode = server.mode !== 'normal' && left <= 0 ? 'normal' : server.mode
  return { mode, label: mode === 'normal' ? MODES[mode] : `${MODES[mode]} · ${seconds(left)}` }
}

/**
 * Reads `/control/status` now and every 2 s while the page is visible (faults started from another
 * tab show too), passing each answer to `onStatus`. Returns the function that stops it.
 */
export function pollStatus(onStatus: (status: ServerStatus) => void): () => void {
  let stopped = false
  const poll = () => {
    if (document.hidden) return
    fetch('/control/status', { cache: 'no-store' })
      .then((response) => response.json())
      .then((status: ServerStatus) => stopped || onStatus(status))
      .catch(() => {})
  }
  poll()
  const timer = setInterval(poll, 2000)
  return () => {
    stopped = true
    clearInterval(timer)
  }
}

/** POSTs `/control/<action>?seconds=…`: the server's new mode, and how many sockets it touched. */
export async function postControl(
  action: string,
  seconds?: number,
): Promise<Pick<ServerStatus, 'mode' | 'until'> & { affected: number }> {
  const response = await fetch(`/control/${action}${seconds ? `?seconds=${seconds}` : ''}`, { method: 'POST' })
  const body = await response.json()
  if (!response.ok) throw new Error(body.error ?? response.statusText)
  return { mode: body.mode, until: body.until, affected: body.affected }
}

/** Starts a fault; resolves to how many sockets it touched. */
export type Control = (action: string, seconds?: number) => Promise<number>
/** Adds a line to the event log. */
export type Log = (kind: string, text: string) => void

/**
 * Starts `fault` with `control`, logs what it did or why it failed, and reconnects into it when it
 * says so. The action is logged as it is taken: the closes it causes can arrive before the answer.
 */
export async function trigger(fault: Fault, control: Control, log: Log, reconnect: () => void): Promise<void> {
  const what = `${fault.control}${fault.seconds ? ` for ${fault.seconds} s` : ''}`
  log('server', `${what} · asked`)
  try {
    const affected = await control(fault.control, fault.seconds)
    log('server', `${what} · ${affected} socket${affected === 1 ? '' : 's'} affected`)
    if (fault.thenReconnect) reconnect()
  } catch (error) {
    log('error', `control/${fault.control} failed: ${(error as Error).message}`)
  }
}
