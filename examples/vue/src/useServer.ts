import { onScopeDispose, shallowRef } from 'vue'
import { pollStatus, postControl, type ServerStatus } from '../../shared/faults'

/** The server's mode, polled every 2 s (faults started from another tab show too), and a way to break it. */
export function useServer() {
  const server = shallowRef<ServerStatus>({ mode: 'normal', until: null })

  onScopeDispose(
    pollStatus((status) => {
      server.value = status
    }),
  )

  /** POSTs `/control/<action>?seconds=…`; resolves to how many sockets it touched. */
  async function control(action: string, seconds?: number): Promise<number> {
    const { mode, until, affected } = await postControl(action, seconds)
    server.value = { ...server.value, mode, until }
    return affected
  }

  return { server, control }
}
