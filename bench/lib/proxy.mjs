// A TCP proxy on 127.0.0.1 that can black-hole its connections: `blackhole()` makes every
// connection open at that moment stop forwarding in both directions while keeping both
// sockets open, as a dead NAT mapping or a half-dead Wi-Fi link does. Connections made
// afterwards are forwarded normally, so a client that notices can reconnect.
import net from 'node:net'

/** @returns {Promise<{ port: number, blackhole(): void, close(): Promise<void> }>} */
export function startProxy(targetPort) {
  const pairs = new Set()
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1')
    const pair = { client, upstream, dead: false }
    pairs.add(pair)
    client.on('data', (chunk) => pair.dead || upstream.write(chunk))
    upstream.on('data', (chunk) => pair.dead || client.write(chunk))
    const end = () => {
      if (pair.dead) return // a black hole never passes a close on either
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    for (const socket of [client, upstream]) {
      socket.on('error', end)
      socket.on('close', end)
    }
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: server.address().port,
        blackhole() {
          for (const pair of pairs) pair.dead = true
        },
        close() {
          for (const { client, upstream } of pairs) {
            client.destroy()
            upstream.destroy()
          }
          pairs.clear()
          return new Promise((done) => server.close(() => done()))
        },
      })
    })
  })
}
