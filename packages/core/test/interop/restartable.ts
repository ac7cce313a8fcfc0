import { WebSocketServer } from 'ws'

/**
 * A `ws` server on 127.0.0.1 that can restart on the same port, as a redeployed server does: its
 * clients are cut (they see 1006) and whatever it held in memory is gone.
 */
export async function restartableServer(setup: (wss: WebSocketServer) => void) {
  let wss = await listen(0, setup)
  const { port } = wss.address() as { port: number }
  const stop = async () => {
    for (const client of wss.clients) client.terminate()
    await new Promise((resolve) => wss.close(resolve))
  }
  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    /** Stops, runs `whileDown`, and listens again on the same port. */
    async restart(whileDown: () => unknown = () => {}) {
      await stop()
      await whileDown()
      wss = await listen(port, setup)
    },
    stop,
    get clients() {
      return wss.clients.size
    },
  }
}

async function listen(port: number, setup: (wss: WebSocketServer) => void): Promise<WebSocketServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port })
  setup(wss)
  await new Promise((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })
  return wss
}

/** Resolves once `condition` holds, checking every 10 ms, or fails after `ms` naming `what`. */
export async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
