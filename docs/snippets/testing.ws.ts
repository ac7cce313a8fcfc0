// Samples of docs/testing.md: a test file for vitest against a real `ws` server.
// #region ws-server
import { connect, type MessageMap, type Socket, type SocketEvents } from '@lifeline/core'
import { afterEach, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'

interface Chat {
  chat: { text: string }
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A `ws` server on 127.0.0.1 and a free port: answers pings, echoes everything else. */
async function startServer(options = { answerPings: true }) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise((resolve) => wss.once('listening', resolve))
  wss.on('connection', (ws) => {
    ws.on('message', (frame) => {
      const message = JSON.parse(String(frame))
      if (message.type !== 'ping') ws.send(JSON.stringify(message))
      else if (options.answerPings) ws.send(JSON.stringify({ type: 'pong' }))
    })
  })
  cleanups.push(() => {
    for (const ws of wss.clients) ws.terminate()
    return new Promise((resolve) => wss.close(resolve))
  })
  const { port } = wss.address() as { port: number }
  return { wss, options, url: `ws://127.0.0.1:${port}/live` }
}

function open(url: string, heartbeat: { interval: number; timeout: number } | false = false) {
  const socket = connect<Chat, Chat>(url, { WebSocket, heartbeat, reconnect: { initialDelay: 50, jitter: 'none' } })
  cleanups.push(() => socket.dispose())
  return socket
}

/** The payload of the socket's next `type` event. */
function nextEvent<In extends MessageMap<In>, K extends keyof SocketEvents<In> & string>(
  socket: Socket<In, unknown>,
  type: K,
): Promise<SocketEvents<In>[K]> {
  return new Promise((resolve) => socket.once(type, resolve))
}

it('reconnects after a crash and delivers what was sent meanwhile', async () => {
  const { wss, url } = await startServer()
  const socket = open(url)
  await nextEvent(socket, 'open')

  for (const ws of wss.clients) ws.terminate() // a crash, as the client sees it
  expect(await nextEvent(socket, 'close')).toMatchObject({ code: 1006, willReconnect: true })
  expect(socket.send('chat', { text: 'during the outage' })).toBe('queued')

  const echo = nextEvent(socket, 'chat')
  await nextEvent(socket, 'open')
  expect(await echo).toEqual({ text: 'during the outage' })
})

it('notices a server that stopped answering', async () => {
  const server = await startServer()
  const socket = open(server.url, { interval: 100, timeout: 100 })
  await nextEvent(socket, 'latency') // pings are answered

  server.options.answerPings = false
  const error = await nextEvent(socket, 'error')
  expect(error.code).toBe('HEARTBEAT_TIMEOUT')
})
// #endregion
