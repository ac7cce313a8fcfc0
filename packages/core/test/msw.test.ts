// MSW's WebSocket interception (`ws.link()`) patches `globalThis.WebSocket`. A socket created before
// the patch reaches MSW on its next attempt: the constructor is looked up at each attempt when the
// `WebSocket` option is not given (the same holds for a polyfill installed late).
import { ws } from 'msw'
import { setupServer } from 'msw/node'
import { afterEach, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'
import { connect } from '../src/index.js'
import { clientWebSocket, nextEvent } from './support/client.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => wss.once('listening', resolve))
  const { port } = wss.address() as { port: number }
  await new Promise((resolve) => wss.close(resolve))
  return port
}

it('reaches MSW on the next attempt when MSW patches globalThis.WebSocket after the socket was created', async () => {
  // Node 20 has no global WebSocket: install `ws` as one, as an app's polyfill would.
  const platform = globalThis.WebSocket
  if (!platform) globalThis.WebSocket = clientWebSocket.WebSocket as unknown as typeof WebSocket
  cleanups.push(() => {
    if (!platform) Reflect.deleteProperty(globalThis, 'WebSocket')
  })
  const url = `ws://127.0.0.1:${await closedPort()}/live`
  const socket = connect<{ greeting: string; echo: string }, { say: string }>(url, {
    reconnect: { initialDelay: 50, jitter: 'none' },
  })
  cleanups.push(() => socket.dispose())

  // The first attempt uses the platform's WebSocket: nothing listens there.
  expect(await nextEvent(socket, 'error')).toMatchObject({ code: 'CONNECT_FAILED' })
  const patchedBefore = globalThis.WebSocket

  const live = ws.link(url)
  const server = setupServer(
    live.addEventListener('connection', ({ client }) => {
      client.send(JSON.stringify({ type: 'greeting', data: 'hello from MSW' }))
      client.addEventListener('message', (event) => {
        const { data } = JSON.parse(String(event.data))
        client.send(JSON.stringify({ type: 'echo', data }))
      })
    }),
  )
  server.listen({ onUnhandledRequest: 'error' })
  cleanups.push(() => server.close())
  expect(globalThis.WebSocket).not.toBe(patchedBefore) // MSW replaced it

  const heard = new Promise((resolve) => socket.once('greeting', resolve))
  await nextEvent(socket, 'open')
  expect(await heard).toBe('hello from MSW')
  const echo = new Promise((resolve) => socket.once('echo', resolve))
  socket.send('say', 'through MSW')
  expect(await echo).toBe('through MSW')
})
