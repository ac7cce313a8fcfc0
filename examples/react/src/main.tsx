import { SocketProvider } from '@lifeline/react'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { OPTIONS } from './live'
import './style.css'

// StrictMode mounts everything twice in development; the provider still opens one WebSocket.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SocketProvider url="/live" options={OPTIONS}>
      <App />
    </SocketProvider>
  </StrictMode>,
)
