// Lifeline in Node 20: `ws` as the WebSocket constructor (Node 20 has no global one), status
// transitions logged, one chat sent and its echo printed, then a clean exit.
//
//   node examples/node/index.mjs                         # starts a demo server of its own
//   node examples/node/index.mjs ws://127.0.0.1:8080/live  # or talks to one already running
import WebSocket from 'ws'

const TIMEOUT = 10_000

let connect
try {
  ;({ connect } = await import('@lifeline/core'))
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error
  console.error('@lifeline/core is not built yet: run `npm run build` first.')
  process.exit(1)
}

const given = process.argv[2] ?? process.env.LIFELINE_URL
const demo = given ? undefined : await (await import('../server/server.js')).startDemoServer({ port: 0 })
const url = given ?? demo.wsUrl

const started = Date.now()
const log = (text) => console.log(`${String(Date.now() - started).padStart(5)} ms  ${text}`)

log(`connecting to ${url}`)
const socket = connect(url, {
  WebSocket,
  heartbeat: { interval: 2000, timeout: 2000 },
  reconnect: { initialDelay: 500, maxDelay: 4000 },
  onOpen: (s) => s.send('hello', { name: 'node' }), // on every (re)connect, before the queue flushes
})

let last = socket.getSnapshot().status
log(`status ${last}`)
socket.on('state', ({ status, attempt }) => {
  if (status === last) return
  last = status
  log(`status ${status}${attempt ? ` (attempt ${attempt})` : ''}`)
})
socket.on('close', ({ code, reason, willReconnect }) =>
  log(`close ${code}${reason ? ` ${reason}` : ''}${willReconnect ? ', will reconnect' : ''}`),
)
socket.on('error', (error) => log(`error ${error.code}: ${error.message}`))
socket.on('presence', ({ online }) => log(`online: ${online.join(', ')}`))

/** Resolves with the echo of the chat with this id, or rejects after TIMEOUT. */
function echoOf(id) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`no echo within ${TIMEOUT / 1000} s`))
    }, TIMEOUT)
    const off = socket.on('chat', (chat) => {
      if (chat.id !== id) return
      clearTimeout(timer)
      off()
      resolve(chat)
    })
  })
}

try {
  // Sent before the link is open: queued, and flushed in order once it is.
  const id = `node-${process.pid}`
  const echo = echoOf(id)
  log(`send chat: ${socket.send('chat', { text: 'Hello from Node', id })}`)
  const chat = await echo
  log(`echo from ${chat.from}: "${chat.text}" (seq ${chat.seq}, ${Date.now() - chat.at} ms ago)`)
} catch (error) {
  console.error(`failed: ${error.message}`)
  process.exitCode = 1
} finally {
  socket.dispose() // closes the link, removes every timer and listener
  await demo?.close()
  log('done')
}
