import type { ServerStatus } from '../../shared/faults'
import { Chat } from './Chat'
import { EventLog, useEventLog } from './EventLog'
import { Faults } from './Faults'
import { Room } from './Room'
import { StatusCard } from './StatusCard'
import { useServer } from './useServer'

export function App() {
  const { server, control } = useServer()
  const { entries, log, clear } = useEventLog()

  return (
    <>
      <header className="masthead">
        <div className="masthead-row">
          <div className="brand">
            <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width="28" height="28" />
            <span>Lifeline</span>
            <span className="brand-tag">React demo</span>
          </div>
          <DemoLinks demos={server.demos} />
        </div>
        <p className="lede">
          The demo page again, as a React app: <code>SocketProvider</code>, <code>useSocketState</code>,{' '}
          <code>useMessages</code>, <code>useLastMessage</code>, <code>useSocketEvent</code> and <code>useChannel</code>
          . Break the server and watch the socket notice, back off, reconnect and deliver what you typed while it was
          down.
        </p>
      </header>

      <main className="layout">
        <div className="column">
          <StatusCard />
          <Chat />
        </div>
        <div className="column">
          <Room />
          <Faults server={server} control={control} log={log} />
          <EventLog entries={entries} clear={clear} />
        </div>
      </main>

      <footer className="footer">
        This page is <code>examples/react</code> (Vite + React, <code>@lifeline/react</code>) · the server is{' '}
        <code>examples/server</code> · control endpoints under <code>/control/*</code>
      </footer>
    </>
  )
}

/** The same demo in the other flavours the server has built; none under the Vite dev server. */
function DemoLinks({ demos }: { demos: ServerStatus['demos'] }) {
  if (import.meta.env.DEV || !demos) return null
  return (
    <nav className="demos" aria-label="The same demo in">
      <a href="/">Plain HTML</a>
      {demos.react && (
        <a href="/react/" aria-current="page">
          React
        </a>
      )}
      {demos.vue && <a href="/vue/">Vue</a>}
    </nav>
  )
}
