import { useCallback, useEffect, useState } from 'react'
import { pollStatus, postControl, type ServerStatus } from '../../shared/faults'

/** The server's mode, polled every 2 s (faults started from another tab show too), and a way to break it. */
export function useServer() {
  const [server, setServer] = useState<ServerStatus>({ mode: 'normal', until: null })

  useEffect(() => pollStatus(setServer), [])

  /** POSTs `/control/<action>?seconds=…`; resolves to how many sockets it touched. */
  const control = useCallback(async (action: string, seconds?: number): Promise<number> => {
    const { mode, until, affected } = await postControl(action, seconds)
    setServer((previous) => ({ ...previous, mode, until }))
    return affected
  }, [])

  return { server, control }
}
