import { useSocketEvent } from '@lifeline/vue'
import { shallowRef } from 'vue'
import { LIFECYCLE, type LogEntry, prepend } from '../../shared/eventLog'
import type { LiveSocket } from '../../shared/live'

/** The socket's lifecycle events as they happen (`useSocketEvent`), newest first; `log` adds the app's own. */
export function useEventLog(socket: LiveSocket) {
  const entries = shallowRef<LogEntry[]>([])
  const log = (kind: string, text: string) => {
    entries.value = prepend(entries.value, kind, text)
  }

  useSocketEvent('open', (e) => log(...LIFECYCLE.open(e)), socket)
  useSocketEvent('close', (e) => log(...LIFECYCLE.close(e)), socket)
  useSocketEvent('error', (e) => log(...LIFECYCLE.error(e)), socket)
  useSocketEvent('reconnecting', (e) => log(...LIFECYCLE.reconnecting(e)), socket)
  useSocketEvent('drop', (e) => log(...LIFECYCLE.drop(e)), socket)

  return {
    entries,
    log,
    clear: () => {
      entries.value = []
    },
  }
}
