// Thundering herd: N clients on one server; the server cuts every connection and stops
// listening, then listens again on the same port after `downtime` ms. The server records
// each completed handshake; each client records when it got its link back.
import { now, sleep, waitFor, withTimeout } from '../lib/clock.mjs'
import { peakInWindow, percentile } from '../lib/stats.mjs'

const WINDOW_MS = 100

async function herdOnce(lib, server, settings, config) {
  const name = `herd-${lib.name}`
  const { port } = await server.listen(name)
  const url = `ws://127.0.0.1:${port}/echo`
  const clients = []
  for (let i = 0; i < config.clients; i++) {
    const client = lib.connect(url, { reconnect: settings.reconnect })
    const record = { client, droppedAt: null, reopenedAt: null }
    client.onClose(() => {
      record.droppedAt ??= now()
    })
    client.onOpen(() => {
      if (record.droppedAt !== null) record.reopenedAt ??= now()
    })
    clients.push(record)
  }
  const opened = await withTimeout(Promise.all(clients.map((r) => r.client.ready)), 15_000)
  if (opened === 'timeout') throw new Error(`${lib.name}: ${config.clients} clients did not all open`)
  await server.take(name) // forget the initial handshakes
  const { at: downAt } = await server.down(name)
  // Counted from the moment the server went down, not from its answer, which a busy machine delays.
  await sleep(Math.max(0, downAt + config.downtime - now()))
  const { at: upAt } = await server.listen(name, port)
  await waitFor(() => clients.every((r) => r.reopenedAt !== null), config.timeout, 20)
  const { handshakes } = await server.take(name)
  for (const { client } of clients) client.close()
  await server.down(name)

  const reconnected = clients.filter((r) => r.reopenedAt !== null)
  const sinceDrop = reconnected.map((r) => r.reopenedAt - downAt)
  return {
    name: lib.name,
    label: lib.label,
    settings: settings.name,
    clients: config.clients,
    // How long the server was down in this run: more than `downtime` when the machine is busy.
    downMs: upAt - downAt,
    reconnected: reconnected.length,
    handshakes: handshakes.length,
    peakPer100ms: peakInWindow(handshakes, WINDOW_MS),
    p50Ms: percentile(sinceDrop, 50),
    p99Ms: percentile(sinceDrop, 99),
    maxMs: reconnected.length ? Math.max(...sinceDrop) : Number.NaN,
    // The last reopen after the server listened again (NaN if some client never came back).
    lastAfterUpMs:
      reconnected.length === clients.length ? Math.max(...reconnected.map((r) => r.reopenedAt)) - upAt : Number.NaN,
    firstHandshakeAfterUpMs: handshakes.length ? Math.min(...handshakes) - upAt : Number.NaN,
    // Handshake times relative to the server coming back, in 100 ms buckets (for the report).
    histogram: histogram(handshakes.map((t) => t - upAt)),
  }
}

function histogram(offsets) {
  const buckets = {}
  for (const offset of offsets) {
    const bucket = Math.floor(offset / WINDOW_MS) * WINDOW_MS
    buckets[bucket] = (buckets[bucket] ?? 0) + 1
  }
  return buckets
}

/**
 * @param libs adapters that reconnect
 * @param config { clients, downtime, timeout, equalised: { initialDelay, maxDelay } }
 */
export async function herd(libs, server, config) {
  const settingsList = [
    { name: 'default', reconnect: undefined },
    ...(config.equalised ? [{ name: 'equalised', reconnect: config.equalised }] : []),
  ]
  const results = []
  for (const settings of settingsList) {
    for (const lib of libs) {
      const result = await herdOnce(lib, server, settings, config)
      results.push(result)
      config.log?.(
        `  ${lib.name.padEnd(24)} ${settings.name.padEnd(10)} reconnected ${result.reconnected}/${result.clients}, peak ${result.peakPer100ms}/100 ms, p50 ${Math.round(result.p50Ms)} ms, p99 ${Math.round(result.p99Ms)} ms, down ${Math.round(result.downMs)} ms`,
      )
      globalThis.gc?.()
      await sleep(200)
    }
  }
  return {
    clients: config.clients,
    downtimeMs: config.downtime,
    timeoutMs: config.timeout,
    windowMs: WINDOW_MS,
    equalised: config.equalised,
    results,
  }
}
