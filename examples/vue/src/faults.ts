import type { ServerStatus } from './useServer'

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

export const MODES: Record<ServerStatus['mode'], string> = {
  normal: 'server ok',
  stopped: 'stopped',
  blackhole: 'black hole',
  rejecting: 'rejecting 4401',
}
