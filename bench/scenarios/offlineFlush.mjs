// Offline flush: a connected client loses its server; once it has noticed (its close event),
// it sends `count` numbered messages; the server comes back after `downtime` ms. The server
// records what arrives: how many, in order or not, duplicates, and how long after it came
// back the last one arrived. What each `send` returned or threw is reported as it was.
import { now, sleep, waitFor, withTimeout } from '../lib/clock.mjs'

const label = (i) => `seq:${String(i).padStart(6, '0')}`

function describe(value) {
  if (value === undefined) return 'undefined'
  return typeof value === 'string' ? `'${value}'` : String(value)
}

async function flushOnce(lib, server, config) {
  const name = `offline-${lib.name}`
  const { port } = await server.listen(name)
  const client = lib.connect(`ws://127.0.0.1:${port}/collect`)
  let closes = 0
  client.onClose(() => closes++)
  if ((await withTimeout(client.ready, 5000)) === 'timeout') throw new Error(`${lib.name}: no open`)
  await server.down(name)
  const noticed = await waitFor(() => closes > 0, 2000)

  const outcomes = {}
  for (let i = 1; i <= config.count; i++) {
    let outcome
    try {
      outcome = `returned ${describe(client.send(label(i)))}`
    } catch (error) {
      outcome = `threw ${error?.code ?? error?.name ?? 'error'}: ${String(error?.message).slice(0, 60)}`
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1
  }
  await sleep(config.downtime)
  const { at: upAt } = await server.listen(name, port)
  // A library that does not reconnect gets a short grace period; the others the full limit.
  const limit = lib.reconnects ? config.limit : config.grace
  const received = []
  const deadline = now() + limit
  while (now() < deadline) {
    const { collected } = await server.take(name)
    received.push(...collected)
    if (new Set(received.map((r) => r.data)).size >= config.count) break // every distinct frame is here
    await sleep(50)
  }
  client.close()
  await server.down(name)

  // The number is found inside any envelope (a JSON codec wraps it).
  const sequence = received
    .map((r) => Number(/seq:(\d+)/.exec(r.data)?.[1]))
    .filter((n) => Number.isInteger(n) && n >= 1 && n <= config.count)
  // Order is judged on first arrivals; repeats are counted as duplicates.
  const firsts = [...new Set(sequence)]
  const inOrder = firsts.every((n, i) => i === 0 || n > firsts[i - 1])
  return {
    name: lib.name,
    label: lib.label,
    noticedClose: noticed,
    sendOutcomes: outcomes,
    sent: config.count,
    delivered: firsts.length,
    inOrder,
    duplicates: sequence.length - firsts.length,
    lastArrivalMs: received.length ? received[received.length - 1].at - upAt : null,
    waitedMs: limit,
  }
}

/** @param config { count, downtime, limit, grace } */
export async function offlineFlush(libs, server, config) {
  const results = []
  for (const lib of libs) {
    const result = await flushOnce(lib, server, config)
    results.push(result)
    const outcomes = Object.entries(result.sendOutcomes)
      .map(([what, n]) => `${n}× ${what}`)
      .join(', ')
    const last = result.lastArrivalMs === null ? '-' : `${Math.round(result.lastArrivalMs)} ms`
    config.log?.(
      `  ${lib.name.padEnd(24)} delivered ${result.delivered}/${result.sent}, in order ${result.inOrder}, duplicates ${result.duplicates}, last after ${last}; send: ${outcomes}`,
    )
  }
  return { count: config.count, downtimeMs: config.downtime, results }
}
