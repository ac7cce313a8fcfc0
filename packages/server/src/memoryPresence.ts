import type { PresenceHost, PresenceStore } from './presence.js'

const NONE: ReadonlyMap<string, unknown> = new Map()

/**
 * The presence store of one process: the members of each channel in a map, and no other
 * instance to tell.
 *
 * @example
 * ```ts
 * attach(wss, { adapter: { ...memoryAdapter(), presence: memoryPresence() } })
 * ```
 */
export function memoryPresence(): PresenceStore {
  const channels = new Map<string, Map<string, unknown>>()
  let host: PresenceHost | null = null
  return {
    start(given) {
      host = given
    },
    enter(channel, member) {
      const members = channels.get(channel) ?? new Map<string, unknown>()
      channels.set(channel, members)
      const known = members.has(member.id)
      members.set(member.id, member.data)
      if (!known) host?.changed(channel, [member], [])
    },
    exit(channel, id) {
      const members = channels.get(channel)
      if (!members?.delete(id)) return
      if (!members.size) channels.delete(channel)
      host?.changed(channel, [], [id])
    },
    watch() {},
    unwatch() {},
    members: (channel) => channels.get(channel) ?? NONE,
    close() {
      host = null
    },
  }
}
