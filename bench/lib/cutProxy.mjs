// A TCP proxy on 127.0.0.1 that cuts its connections on command: `cut()` resets every
// connection held at that moment on both sides (RST, no close frame, nothing in flight
// delivered afterwards), as a dropped mobile link or a restarted middlebox does. While
// `refuse()` is in force, new connections are reset as soon as they are accepted; `forward()`
// lets them through again. Each direction of a connection is one ordered stream: bytes are
// written in the order they were read, with the reader paused while the writer is full, so a
// cut is the only fault and where it falls depends only on when it is called.
import net from 'node:net'

function reset(socket) {
  if (socket.destroyed) return
  try {
    socket.resetAndDestroy()
  } catch {
    socket.destroy()
  }
}

/**
 * @param {number} targetPort the server behind the proxy, on 127.0.0.1
 * @returns {Promise<{ port: number, connections(): number, accepted(): number, cuts(): number,
 *   cut(): number, refuse(): void, forward(): void, close(): Promise<void> }>}
 */
export function startCutProxy(targetPort) {
  const links = new Set()
  let refusing = false
  let accepted = 0
  let cuts = 0
  const drop = (link) => {
    links.delete(link)
    reset(link.client)
    reset(link.upstream)
  }
  const relay = (link, from, to) => {
    from.on('data', (chunk) => {
      if (!to.destroyed && !to.write(chunk)) {
        from.pause()
        to.once('drain', () => from.resume())
      }
    })
    from.once('end', () => to.destroyed || to.end())
    from.once('close', (hadError) => {
      if (hadError) drop(link)
      else if (link.client.destroyed && link.upstream.destroyed) links.delete(link)
    })
  }
  const server = net.createServer((client) => {
    client.on('error', () => {})
    client.setNoDelay(true)
    if (refusing) return reset(client)
    accepted++
    const upstream = net.connect(targetPort, '127.0.0.1')
    upstream.on('error', () => {})
    upstream.setNoDelay(true)
    const link = { client, upstream }
    links.add(link)
    relay(link, client, upstream)
    relay(link, upstream, client)
  })
  server.maxConnections = 4096
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        connections: () => links.size,
        accepted: () => accepted,
        cuts: () => cuts,
        /** Resets every connection held now; returns how many. */
        cut() {
          const n = links.size
          for (const link of [...links]) drop(link)
          cuts += n
          return n
        },
        refuse() {
          refusing = true
        },
        forward() {
          refusing = false
        },
        close() {
          for (const link of [...links]) drop(link)
          return new Promise((done) => server.close(() => done()))
        },
      })
    })
  })
}
