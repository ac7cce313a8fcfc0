// Presence in a large room: one server process (../lib/channelServer.mjs, `@lifeline/server` with
// presence, grace 0), `members` raw `ws` clients in one channel, each a member of its own (no
// `authenticate`: a connection is a member). Three rooms, each on a fresh server:
//   list   `listeners` members joined with `presence: 'list'` (first, while the room is small), the
//          rest with no presence: every join reaches each listener as a `{"pr","j"}` frame;
//   count  every member joined with `presence: 'count'`: a `{"pr","n"}` frame at most once a second;
//   none   nobody asked: what a join costs the server for the bookkeeping alone.
// In each, `joins` more clients join one at a time, `spacingMs` apart (more than the 50 ms the
// server coalesces list changes over, so each join is a frame of its own), then as many leave.
// Measured: the bytes of a `list` join's answer at `members` (the member list) and of a `count`
// one; the bytes on the wire to every listener per join and leave (WebSocket payload + its 2-byte
// header), and the server child's CPU time (`process.cpuUsage()`) per join and leave, the `$join`
// request included.
import WebSocket from 'ws'
import { startChannelServer } from '../lib/channelControl.mjs'
import { sleep, withTimeout } from '../lib/clock.mjs'

const ROOM = 'presence-room'

/** Opens a raw client past the hub's `$accept`; counts the bytes of every frame after it. */
async function open(url) {
  const ws = new WebSocket(url)
  const client = { ws, bytes: 0, frames: 0, replies: new Map(), closed: null }
  ws.on('close', (code) => {
    client.closed = code
  })
  await new Promise((resolve, reject) => {
    ws.on('error', reject)
    ws.on('message', (raw) => {
      const text = String(raw)
      if (text.startsWith('{"type":"$accept"')) return resolve()
      client.bytes += raw.length + 2
      client.frames++
      if (text.startsWith('{"re":')) {
        const { re } = JSON.parse(text)
        client.replies.get(re)?.(raw.length)
      }
    })
  })
  return client
}

let ids = 0
/** Sends a `$join` (with `presence` when given); resolves with the reply's size in bytes. */
function join(client, presence) {
  const id = `j${++ids}`
  const answered = new Promise((resolve) => client.replies.set(id, resolve))
  const data = presence ? { channel: ROOM, presence } : { channel: ROOM }
  client.ws.send(JSON.stringify({ type: '$join', id, data }))
  return answered
}

/** Connects `count` clients `batch` at a time, each joined with `presence`. */
async function members(url, count, batch, presence) {
  const all = []
  for (let i = 0; i < count; i += batch) {
    const wave = await Promise.all(Array.from({ length: Math.min(batch, count - i) }, () => open(url)))
    const joined = await withTimeout(Promise.all(wave.map((client) => join(client, presence))), 60_000)
    if (joined === 'timeout') throw new Error(`presence: ${i + batch} members not all joined in 60 s`)
    all.push(...wave)
  }
  return all
}

const cpuMs = (before, after) => (after.user - before.user + after.system - before.system) / 1000

/** One room of the scenario (see the top of the file). */
async function room(control, name, shape, config) {
  const { directPort: port } = await control.listen(name, 'lifeline', { presence: { grace: 0 } })
  const url = `ws://127.0.0.1:${port}/`
  const listeners =
    shape === 'list'
      ? await members(url, config.listeners, config.batch, 'list')
      : await members(url, config.members, config.batch, shape === 'count' ? 'count' : undefined)
  const quiet = shape === 'list' ? await members(url, config.members - config.listeners, config.batch) : []
  await sleep(1200) // the coalesced frames of the joins above go out
  const watching = shape === 'none' ? [] : listeners
  const probe = await open(url)
  const listBytes = shape === 'list' ? await join(probe, 'list') : null
  const countBytes = shape === 'count' ? await join(probe, 'count') : null
  const joiners = await Promise.all(Array.from({ length: config.joins }, () => open(url)))
  await sleep(1200)

  const measure = async (step) => {
    const bytesBefore = watching.reduce((sum, client) => sum + client.bytes, 0)
    const before = await control.cpu()
    for (const client of joiners) {
      await step(client)
      await sleep(config.spacingMs)
    }
    await sleep(1200) // the last frames (a count goes out at most once a second)
    const after = await control.cpu()
    const bytes = watching.reduce((sum, client) => sum + client.bytes, 0) - bytesBefore
    return {
      bytesPerChange: bytes / joiners.length,
      bytesPerChangePerListener: watching.length ? bytes / joiners.length / watching.length : 0,
      // The sleeps cost the server nothing: its CPU time is what the joins and the frames took.
      cpuMsPerChange: cpuMs(before, after) / joiners.length,
    }
  }
  const joined = await measure((client) => join(client))
  const left = await measure(async (client) => {
    client.ws.send(JSON.stringify({ type: '$leave', data: { channel: ROOM } }))
  })
  for (const client of [...listeners, ...quiet, ...joiners, probe]) client.ws.terminate()
  await sleep(200)
  await control.down(name).catch(() => {})
  return {
    shape,
    members: config.members,
    listeners: watching.length,
    listBytes,
    countBytes,
    join: joined,
    leave: left,
  }
}

/** @param config { members, listeners, batch, joins, spacingMs, log? } */
export async function presence(config) {
  const control = await startChannelServer()
  try {
    const rooms = []
    for (const shape of ['list', 'count', 'none']) {
      const result = await room(control, `presence-${shape}`, shape, config)
      config.log?.(
        `  ${shape}: ${result.listeners} listeners; per join ${Math.round(result.join.bytesPerChange)} B to them ` +
          `(${result.join.bytesPerChangePerListener.toFixed(1)} B each), server CPU ${result.join.cpuMsPerChange.toFixed(3)} ms` +
          (result.listBytes ? `; list of ${config.members}: ${result.listBytes} B` : '') +
          (result.countBytes ? `; count answer: ${result.countBytes} B` : ''),
      )
      rooms.push(result)
    }
    return { config: { ...config, log: undefined }, rooms }
  } finally {
    await control.stop()
  }
}
