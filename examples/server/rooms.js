// The demo's rooms: channels of @lifeline/server (`room:<name>`), with a history that can be
// trimmed on request, and what the /control/* endpoints do with them: publish lines from the
// server, trim a room's history. Who is in each room is the hub's presence: a page is the user it
// named in its `hello` (server.js sets `peer.data`), so its tabs are one member.
import { memoryHistory } from '@lifeline/server'

/** The rooms a page can join; each is the channel `room:<name>`. */
export const ROOMS = ['lobby', 'random']

/** The most lines one `publish` control makes. */
const MAX_COUNT = 50

const isThenable = (value) => typeof value?.then === 'function'

/**
 * The in-memory history, and `trim(channel)`: what it kept of the channel so far is gone, as if
 * its size or age limit had dropped it. A client that comes back from before the trim gets a
 * `trimmed` gap instead of a replay; one that had everything goes on as before.
 *
 * @param {import('@lifeline/server').History} [inner]
 */
export function trimmableHistory(inner = memoryHistory()) {
  /** Per channel, the position up to which publications are gone. @type {Map<string, { epoch: string, offset: number }>} */
  const floors = new Map()
  return {
    start: (host) => inner.start(host),
    append: (channel, data) => inner.append(channel, data),
    top: (channel) => inner.top(channel),
    close: () => inner.close(),
    since(channel, position, limit) {
      const floor = floors.get(channel)
      const cut = (replay) =>
        replay.gap === null && floor?.epoch === position.epoch && position.offset < floor.offset
          ? { gap: 'trimmed', top: replay.top }
          : replay
      const replay = inner.since(channel, position, limit)
      return isThenable(replay) ? replay.then(cut) : cut(replay)
    },
    /** Drops what the channel's history holds now; resolves with the channel's position. */
    async trim(channel) {
      const top = await inner.top(channel)
      floors.set(channel, top)
      return top
    },
  }
}

/**
 * The rooms' side of the demo server: who may join what, and the controls.
 *
 * @param {() => import('@lifeline/server').Hub} hub the hub, once attached
 * @param {ReturnType<typeof trimmableHistory>} history
 */
export function createRooms(hub, history) {
  return {
    /** Joins and publishes are allowed in the demo's rooms only. */
    authorize: (_peer, channel) => ROOMS.some((room) => channel === `room:${room}`),

    /** `POST /control/publish?room=lobby&count=5` and `POST /control/trim?room=lobby`; `null` for other controls. */
    async control(name, params) {
      if (name !== 'publish' && name !== 'trim') return null
      const room = params.get('room') ?? ROOMS[0]
      if (!ROOMS.includes(room)) return { status: 400, body: { error: `room must be one of ${ROOMS.join(', ')}` } }
      const channel = `room:${room}`
      if (name === 'trim') return { status: 200, body: { ok: true, room, trimmedTo: await history.trim(channel) } }
      const count = Number(params.get('count') ?? 1)
      if (!(Number.isInteger(count) && count > 0 && count <= MAX_COUNT)) {
        return { status: 400, body: { error: `count must be an integer in [1, ${MAX_COUNT}]` } }
      }
      const positions = []
      for (let i = 1; i <= count; i++) {
        positions.push(await hub().publish(channel, { from: 'server', text: `line ${i} of ${count}`, at: Date.now() }))
      }
      return { status: 200, body: { ok: true, room, positions } }
    },
  }
}
