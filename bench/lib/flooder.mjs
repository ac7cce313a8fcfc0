// One hostile peer in a process of its own (started by ./defenceControl.mjs), so the flood it
// writes does not slow the quiet client it is measured against: `count` small messages
// (`{"type":"chat","data":{"n":…}}`) from one ws connection, 1,000 per turn of the event loop,
// as fast as its socket takes them; it stops early if the server closes the connection.
import WebSocket from 'ws'

async function flood(url, count) {
  const ws = new WebSocket(url)
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  let closeCode = null
  ws.on('close', (code) => {
    closeCode = code
  })
  ws.on('error', () => {})
  const start = performance.now()
  let sent = 0
  while (sent < count && ws.readyState === WebSocket.OPEN) {
    const end = Math.min(count, sent + 1000)
    for (; sent < end; sent++) ws.send(`{"type":"chat","data":{"n":${sent}}}`)
    // Only as fast as the socket takes them: the client's own buffer stays small.
    while (ws.bufferedAmount > 1_048_576 && ws.readyState === WebSocket.OPEN) {
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  const ms = performance.now() - start
  // The server's close code, if it closed the connection; null if the flood ended first.
  const closedByServer = ws.readyState !== WebSocket.OPEN
  if (ws.readyState !== WebSocket.CLOSED) {
    const closed = new Promise((resolve) => ws.once('close', resolve))
    if (!closedByServer) ws.close()
    await closed
  }
  return { sent, ms, closeCode: closedByServer ? closeCode : null }
}

process.on('message', async ({ id, command, args }) => {
  try {
    if (command !== 'flood') throw new Error(`unknown command ${command}`)
    process.send({ id, result: await flood(...args) })
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) })
  }
})

process.on('disconnect', () => process.exit(0))
