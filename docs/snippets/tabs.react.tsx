// The React sample of docs/tabs.md, pasted into the guide as it is.
import { idleSnapshot } from '@lifeline/core'
import { connectShared, type SharedSnapshot } from '@lifeline/core/tabs'
import { SocketProvider, useSocketState } from '@lifeline/react'
import { useSyncExternalStore } from 'react'
import { createRoot } from 'react-dom/client'
import type { Incoming, Outgoing } from './tabs'

// #region react
const socket = connectShared<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })

function Status() {
  const { status } = useSocketState() // the connection's, in every tab
  // Where this tab stands in the group: leader and tabs are fields of the shared snapshot.
  const { leader = true, tabs = 1 } = useSyncExternalStore<SharedSnapshot>(
    socket.subscribe,
    socket.getSnapshot,
    () => idleSnapshot,
  )
  return <p>{`${status} · ${leader ? 'this tab leads' : 'another tab leads'} · ${tabs} tab(s)`}</p>
}

createRoot(document.getElementById('root')!).render(
  <SocketProvider socket={socket}>
    <Status />
  </SocketProvider>,
)
// #endregion
