// The event log's entries, and its line for each of the socket's lifecycle events.
import type { LifecycleEvents } from '@lifeline/core'
import { closeText, seconds } from './format'

export interface LogEntry {
  key: number
  at: number
  kind: string
  text: string
}

const LIMIT = 60
let keys = 0

/** `entries` with `kind: text` on top: newest first, at most 60. */
export function prepend(entries: readonly LogEntry[], kind: string, text: string): LogEntry[] {
  return [{ key: ++keys, at: Date.now(), kind, text }, ...entries].slice(0, LIMIT)
}

type Logged = 'open' | 'close' | 'error' | 'reconnecting' | 'drop'

/** The log's `[kind, text]` for each lifecycle event it shows: `log(...LIFECYCLE.close(event))`. */
export const LIFECYCLE: { [K in Logged]: (event: LifecycleEvents[K]) => [kind: string, text: string] } = {
  open: () => ['open', 'link up, queue flushed'],
  close: (e) => ['close', `${closeText(e)} · ${e.willReconnect ? 'will reconnect' : 'will not reconnect'}`],
  error: (error) => ['error', `${error.code} · ${error.message}`],
  reconnecting: ({ attempt, delay }) => ['retry', `retry ${attempt} in ${seconds(delay)}`],
  drop: ({ type, reason }) => ['drop', `${type ?? 'frame'} dropped (${reason})`],
}
