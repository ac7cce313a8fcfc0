import { useSocketEvent } from '@lifeline/vue'
import { shallowRef } from 'vue'
import { closeText, seconds } from './format'
import type { LiveSocket } from './live'

export interface LogEntry {
  key: number
  at: number
  kind: string
  text: string
}

const LIMIT = 60
let keys = 0

/** The socket's lifecycle events as they happen (`useSocketEvent`), newest first; `log` adds the app's own. */
export function useEventLog(socket: LiveSocket) {
  const entries = shallowRef<LogEntry[]>([])
  const log = (kind: string, text: string) => {
    entries.value = [{ key: ++keys, at: Date.now(), kind, text }, ...entries.value].slice(0, LIMIT)
  }

  useSocketEvent('open', () => log('open', 'link up, queue flushed'), socket)
  useSocketEvent(
    'close',
    (e) => log('close', `${closeText(e)} · ${e.willReconnect ? 'will reconnect' : 'will not reconnect'}`),
    socket,
  )
  useSocketEvent('error', (error) => log('error', `${error.code} · ${error.message}`), socket)
  useSocketEvent('reconnecting', ({ attempt, delay }) => log('retry', `retry ${attempt} in ${seconds(delay)}`), socket)
  useSocketEvent('drop', ({ type, reason }) => log('drop', `${type ?? 'frame'} dropped (${reason})`), socket)

  return {
    entries,
    log,
    clear: () => {
      entries.value = []
    },
  }
}
