// Fan-out: one server process, `subscribers` clients in one channel (Lifeline: `hub.publish` to a
// channel every client joined with `channel(socket, name)`) or one room (socket.io:
// `io.to(room).emit`, every client joined to the room, the server's defaults otherwise), and
// publications/s delivered: a publication counts once every subscriber has received it.
//
// The server child (../lib/channelServer.mjs) publishes `burst` publications per IPC call; the
// next call goes out once every publication of the burst before the last has reached every
// subscriber, so at most two bursts are on the way and neither side waits for the other. Two
// shapes: each publication in a turn of the event loop of its own (as publications made by
// separate events are), and a burst's publications all in one turn (as a batch job's are), where
// a server that writes a turn's frames together makes one system call per subscriber per burst. All
// clients live in this process, both libraries' at once (their connections to one server child),
// and the libraries take turns slice by slice, in an order that reverses every slice, as in the
// throughput scenario. CPU is `process.cpuUsage()` of this process (the clients) and of the
// server child over each slice, per delivered message (one publication to one subscriber). The
// clients connect to the server's own port, not through the cut proxy.
import { startChannelServer } from '../lib/channelControl.mjs'
import { now, sleep, withTimeout } from '../lib/clock.mjs'
import { median, percentile, summary } from '../lib/stats.mjs'

/** CPU µs spent between two `process.cpuUsage()` readings, user and kernel. */
const spent = (before, after) => ({ user: after.user - before.user, system: after.system - before.system })

/** Connects `count` clients, `batch` at a time, each in `room`; every delivery goes to `onMessage(n)`. */
async function connectAll(lib, url, room, count, batch, onMessage) {
  const clients = []
  for (let i = 0; i < count; i += batch) {
    const wave = []
    for (let k = i; k < Math.min(count, i + batch); k++) wave.push(lib.connect(url, { room, onMessage }))
    clients.push(...wave)
    const joined = await withTimeout(Promise.all(wave.map((c) => c.ready)), 20_000)
    if (joined === 'timeout') throw new Error(`${lib.name}: ${i + batch} clients not all joined in 20 s`)
  }
  return clients
}

/**
 * One library's subscribers: a counter per publication, and `until(k)`: resolves once publications
 * 1..k have all reached every subscriber (or rejects after `timeout` ms).
 */
function deliveries(subscribers, capacity) {
  const counts = new Uint32Array(capacity + 1)
  let complete = 0
  let waiter = null
  const advance = () => {
    while (complete < capacity && counts[complete + 1] >= subscribers) complete++
    if (waiter && complete >= waiter.target) {
      const { resolve, timer } = waiter
      waiter = null
      clearTimeout(timer)
      resolve()
    }
  }
  return {
    onMessage(n) {
      if (n >= 1 && n <= capacity && ++counts[n] >= subscribers && n === complete + 1) advance()
    },
    get complete() {
      return complete
    },
    until(target, timeout) {
      if (complete >= target) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null
          reject(new Error(`${complete}/${target} publications reached every subscriber within ${timeout} ms`))
        }, timeout)
        waiter = { target, resolve, timer }
      })
    },
  }
}

/**
 * Publishes `count` more, `burst` per call (`turns`: each in a turn of its own), at most two bursts
 * on the way; resolves when all reached everyone.
 */
async function publishAndWait(control, side, count, { burst, turns }, timeout) {
  const end = side.published + count
  while (side.published < end) {
    const n = Math.min(burst, end - side.published)
    await control.burst(side.name, side.room, n, { turns })
    const previous = side.published
    side.published += n
    await side.tally.until(previous, timeout)
  }
  await side.tally.until(end, timeout)
}

/**
 * @param entries `{ name, label, note, lib, options }`: a channel client (../lib/channelClients.mjs) and its server's options
 * @param config { subscribers, connectBatch, shapes: [{ name, burst, turns, perSlice }], warmup, chunks, timeout, execArgv? }
 */
export async function channelsFanout(entries, config) {
  const control = await startChannelServer({ execArgv: config.execArgv ?? [] })
  const capacity = config.warmup + config.chunks * config.shapes.reduce((sum, shape) => sum + shape.perSlice, 0)
  const sides = []
  try {
    for (const entry of entries) {
      const { lib } = entry
      const name = `fanout-${entry.name}`
      const room = name
      const { directPort: port } = await control.listen(name, lib.server, entry.options)
      const tally = deliveries(config.subscribers, capacity)
      const start = now()
      const clients = await connectAll(
        lib,
        `ws://127.0.0.1:${port}/`,
        room,
        config.subscribers,
        config.connectBatch,
        tally.onMessage,
      )
      const side = { entry, name, room, tally, clients, published: 0, slices: [], joinMs: now() - start }
      sides.push(side)
      const { peers } = await control.info(name)
      config.log?.(
        `  ${entry.name}: ${clients.length} subscribers in ${Math.round(side.joinMs)} ms (server: ${peers} peers)`,
      )
    }
    const warm = { burst: config.shapes[0].burst, turns: false }
    for (const side of sides) await publishAndWait(control, side, config.warmup, warm, config.timeout)
    globalThis.gc?.()
    for (const shape of config.shapes) {
      for (let chunk = 0; chunk < config.chunks; chunk++) {
        const order = chunk % 2 === 0 ? sides : [...sides].reverse()
        for (const side of order) {
          const serverBefore = await control.cpu()
          const clientBefore = process.cpuUsage()
          const start = now()
          await publishAndWait(control, side, shape.perSlice, shape, config.timeout)
          const ms = now() - start
          const clientAfter = process.cpuUsage()
          const serverAfter = await control.cpu()
          side.slices.push({
            shape: shape.name,
            ms,
            publicationsPerSec: shape.perSlice / (ms / 1000),
            client: spent(clientBefore, clientAfter),
            server: spent(serverBefore, serverAfter),
          })
        }
        // A moment between slices, so one slice's last writes are not charged to the next.
        await sleep(20)
      }
    }
  } finally {
    for (const side of sides) for (const client of side.clients) client.close()
    await sleep(200)
    for (const side of sides) await control.down(side.name).catch(() => {})
    await control.stop()
  }
  const results = config.shapes.flatMap((shape) =>
    sides.map(({ entry, slices: all, joinMs }) => {
      const delivered = shape.perSlice * config.subscribers
      const slices = all.filter((s) => s.shape === shape.name)
      const of = (who, key) => summary(slices.map((s) => s[who][key] / delivered))
      return {
        name: entry.name,
        label: entry.label,
        note: entry.note,
        shape: shape.name,
        joinMs,
        publicationsPerSec: summary(slices.map((s) => s.publicationsPerSec)),
        deliveriesPerSec: summary(slices.map((s) => s.publicationsPerSec * config.subscribers)),
        clientUserUs: of('client', 'user'),
        clientSystemUs: of('client', 'system'),
        serverUserUs: of('server', 'user'),
        serverSystemUs: of('server', 'system'),
        slices,
      }
    }),
  )
  for (const r of results) {
    config.log?.(
      `  ${r.name} (${r.shape}): ${Math.round(r.publicationsPerSec.median)} publications/s to ${config.subscribers} (${Math.round(r.deliveriesPerSec.median / 1000)}k deliveries/s); per delivery client ${r.clientUserUs.median.toFixed(2)} + ${r.clientSystemUs.median.toFixed(2)} µs, server ${r.serverUserUs.median.toFixed(2)} + ${r.serverSystemUs.median.toFixed(2)} µs`,
    )
  }
  const { log, execArgv, ...settings } = config
  return { ...settings, results }
}

/** Publications/s of `name` over `baseline` in `shape`, slice by slice (the two ran moments apart). */
export function fanoutSliceRatios(fanout, shape, name, baseline) {
  const of = (n) => fanout.results.find((r) => r.name === n && r.shape === shape).slices
  const theirs = of(baseline)
  return of(name).map((slice, i) => slice.publicationsPerSec / theirs[i].publicationsPerSec)
}

export function fanoutRatio(fanout, shape, name, baseline) {
  const ratios = fanoutSliceRatios(fanout, shape, name, baseline)
  return { ratio: median(ratios), count: ratios.length, q1: percentile(ratios, 25), q3: percentile(ratios, 75) }
}
