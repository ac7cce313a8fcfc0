import { type PeerConnection, type RateBuckets, type RateSettings, rateBuckets } from './peer.js'

/** The user a peer's `data` names (`userId`, else `id`), as the default dedupe scope reads it. */
export function userOf(data: unknown): string | null {
  const { userId, id } = (data ?? {}) as { userId?: unknown; id?: unknown }
  const user = userId ?? id
  return typeof user === 'string' || typeof user === 'number' ? String(user) : null
}

/**
 * Rate limits by user: the peers whose `data` names one user share one limit on this instance, so
 * more connections buy no more. A peer with no user keeps its own.
 */
export function createUserLimits(rate: RateSettings | false) {
  const shared = new Map<string, { limit: RateBuckets; peers: Set<PeerConnection> }>()
  const users = new WeakMap<PeerConnection, string>()
  return {
    /** Puts `peer` under its user's limit, once its `data` is set. */
    join(peer: PeerConnection) {
      const user = userOf(peer.data)
      if (!rate || user === null) return
      const entry = shared.get(user) ?? { limit: rateBuckets(rate, performance.now()), peers: new Set() }
      shared.set(user, entry)
      entry.peers.add(peer)
      users.set(peer, user)
      peer.shareLimit(entry.limit)
    },
    /** `peer` is gone: its user's limit goes with its last peer. */
    leave(peer: PeerConnection) {
      const user = users.get(peer)
      const entry = user === undefined ? undefined : shared.get(user)
      if (!entry) return
      entry.peers.delete(peer)
      if (!entry.peers.size) shared.delete(user as string)
    },
  }
}
