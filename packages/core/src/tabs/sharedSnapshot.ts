import { type ErrorCode, LifelineError, type Snapshot, type Status } from '@lifeline/core'
import type { WireSnapshot } from './protocol.js'

/**
 * The snapshot of a shared socket: the connection's state, and where this tab stands in its group.
 * Where tabs cannot share (no Web Locks or `BroadcastChannel`), the socket is `connect`'s and its
 * snapshot has neither field: read them as `leader ?? true` and `tabs ?? 1`.
 */
export interface SharedSnapshot extends Snapshot {
  /** Whether this tab holds the connection. */
  readonly leader?: boolean
  /** How many tabs share the connection (this one included). */
  readonly tabs?: number
}

/** An error as a tab has it, or as it travels; or any other value an event carries. */
export type Wired = { code: string; message: string } | null

/** Whether a socket in `status` wants a connection. */
export const active = (status: Status) => status !== 'idle' && status !== 'closed'
/** A value as it travels between tabs: an error (it has a `code`) as `{ code, message }`, anything else as it is. */
export const wire = (v: Wired) => (v?.code ? { code: v.code, message: v.message } : v)
/** A value as it arrived from the leader: an error is a `LifelineError` again. */
export const unwire = (v: Wired) => (v?.code ? new LifelineError(v.code as ErrorCode, v.message) : v)

/**
 * The tab's snapshot: the connection's, as the leader posted it (`remote`), with the status of this
 * tab's own socket (`own`: its queue, its requests, whether it is open to the leader) folded in.
 */
export function sharedSnapshot(own: Snapshot, remote: WireSnapshot | null, leader: boolean): SharedSnapshot {
  const r = active(own.status) && remote
  return {
    ...(r || own),
    // Open once this tab's socket has flushed; connecting until a leader says where the link is.
    status:
      r && active(r.status) && (r.status !== 'open' || own.status === 'open')
        ? r.status
        : active(own.status)
          ? 'connecting'
          : own.status,
    lastError: own.lastError ?? (unwire((r || own).lastError) as LifelineError | null),
    leader,
    tabs: remote?.tabs ?? 1,
  }
}
