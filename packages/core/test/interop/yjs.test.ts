// y-websocket (a client nobody here wrote) over LifelineWebSocket: two Y.Docs keep syncing through a
// server restart, edits made while the server is down included. y-websocket reconnects by itself,
// so the class runs with `reconnect: false`; y-websocket constructs with two arguments, so the
// options come from a subclass, as the class's docs show.
import { docs, setupWSConnection } from '@y/websocket-server/utils'
import { afterEach, expect, it } from 'vitest'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { LifelineWebSocket } from '../../src/LifelineWebSocket.js'
import { clientWebSocket } from '../support/client.js'
import { restartableServer, until } from './restartable.js'

class YjsSocket extends LifelineWebSocket {
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols, { WebSocket: clientWebSocket.WebSocket, reconnect: false })
  }
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Forgets every document the server held, as a restarted server process has. */
function forgetDocuments() {
  for (const doc of docs.values()) doc.destroy()
  docs.clear()
}

function provider(url: string, doc: Y.Doc) {
  const provider = new WebsocketProvider(url, 'room', doc, {
    WebSocketPolyfill: YjsSocket,
    disableBc: true, // no shortcut between the two docs: everything goes through the server
    maxBackoffTime: 200,
  })
  cleanups.push(() => provider.destroy())
  return provider
}

it('syncs two Y.Docs through y-websocket, across a server restart', async () => {
  const server = await restartableServer((wss) => wss.on('connection', (conn, req) => setupWSConnection(conn, req)))
  cleanups.push(() => server.stop(), forgetDocuments)
  const [a, b] = [new Y.Doc(), new Y.Doc()]
  const [pa, pb] = [provider(server.url, a), provider(server.url, b)]
  await until(() => pa.synced && pb.synced, 'both providers synced')
  expect(pa.ws).toBeInstanceOf(LifelineWebSocket)

  a.getText('t').insert(0, 'hello')
  await until(() => b.getText('t').toString() === 'hello', 'B to see A’s edit')

  await server.restart(() => {
    forgetDocuments()
    a.getText('t').insert(5, ' world') // made while the server is down
  })
  await until(() => server.clients === 2 && pa.synced && pb.synced, 'both providers back')
  await until(() => b.getText('t').toString() === 'hello world', 'B to see the edit made during the outage')
  b.getText('t').insert(0, '> ')
  await until(() => a.getText('t').toString() === '> hello world', 'A to see B’s edit after the restart')
  // The restarted server rebuilt the document from what the clients sent it.
  expect(docs.get('room')?.getText('t').toString()).toBe('> hello world')
})
