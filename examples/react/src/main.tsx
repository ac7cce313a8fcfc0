import { SocketProvider } from '@lifeline/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { OPTIONS } from '../../shared/live'
import { App } from './App'
import '../../shared/style.css'

// StrictMode mounts everything twice in development; the provider still opens one WebSocket.
// `/live` is relative: it resolves against the page (`ws://<this host>/live`).
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SocketProvider url="/live" options={OPTIONS}>
      <App />
    </SocketProvider>
  </StrictMode>,
)
