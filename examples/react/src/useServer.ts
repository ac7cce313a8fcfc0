import { useCallback, useEffect, useState } from 'react'

/** The demo server's fault mode, as `/control/*` reports it. */
export interface ServerStatus {
  mode: 'normal' | 'stopped' | 'blackhole' | 'rejecting'
  /** When the timed fault ends (epoch ms). */
  until: number | null
  /** Which framework demos the server has built, e.g. `{ react: true, vue: false }`. */
  demos?: Record<string, boolean>
}

/** The server's mode, polled every 2 s (faults started from another tab show too), and a way to break it. */
export function useServer() {
  const [server, setServer] = useState<ServerStatus>({ mode: 'normal', until: null })

  useEffect(() => {
    let mounted = true
    const poll = () => {
      if (document.hidden) return
      fetch('/control/status', { cache: 'no-store' })
        .then((response) => response.json())
        .then((status: ServerStatus) => mounted && setServer(status))
        .catch(() => {})
    }
    poll()
    const timer = setInterval(poll, 2000)
    return () => {
      mounted = false
      clearInterval(timer)
    }
  }, [])

  /** POSTs `/control/<action>?seconds=…`; resolves to how many sockets it touched. */
  const control = useCallback(async (action: string, seconds?: number): Promise<number> => {
    const response = await fetch(`/control/${action}${seconds ? `?seconds=${seconds}` : ''}`, { method: 'POST' })
    const body = await response.json()
    if (!response.ok) throw new Error(body.error ?? response.statusText)
    setServer((previous) => ({ ...previous, mode: body.mode, until: body.until }))
    return body.affected
  }, [])

  return { server, control }
}
