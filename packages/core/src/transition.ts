import type { LifelineError } from './errors.js'
import type { CloseInfo, Snapshot, Status } from './types.js'

/** Everything that can happen to a socket's state; {@link transition} says what each one does. */
export type Transition =
  /** An attempt starts: `open()`, `reconnect()`, a retry timer, `online`. `reset` zeroes `attempt`. */
  | { type: 'connect'; reset?: boolean; close?: CloseInfo }
  /** The link is up, `onOpen` settled and the queue flushed. */
  | { type: 'open' }
  /** The link or attempt ended and a retry is scheduled at `at` (epoch ms). */
  | { type: 'wait'; at: number; close: CloseInfo | null }
  /** Closed for good: by the user, a terminal close code, or after `maxAttempts`. */
  | { type: 'close'; close: CloseInfo | null }
  /** The link stayed open for `stableAfter`. */
  | { type: 'stable' }
  | { type: 'error'; error: LifelineError }
  | { type: 'latency'; latency: number }
  | { type: 'count'; queued: number; pending: number }

/** The statuses each transition may start from; any other is ignored (a late or stale event). */
const FROM: Partial<Record<Transition['type'], readonly Status[]>> = {
  open: ['connecting'],
  wait: ['connecting', 'open'],
  close: ['idle', 'connecting', 'open', 'reconnecting'],
  stable: ['open'],
}

/** `state` with `patch` applied: the same object when nothing changes, else a new frozen one. */
function patch(state: Snapshot, changes: Partial<Snapshot>): Snapshot {
  for (const key in changes) {
    if (changes[key as keyof Snapshot] !== state[key as keyof Snapshot]) return Object.freeze({ ...state, ...changes })
  }
  return state
}

/**
 * The socket's state machine, as a pure function: the snapshot after `event`. It returns
 * `state` itself when the event changes nothing or is not allowed from the current status,
 * so a caller can tell a stale event by identity.
 */
export function transition(state: Snapshot, event: Transition): Snapshot {
  if (!(FROM[event.type]?.includes(state.status) ?? true)) return state
  switch (event.type) {
    case 'connect':
      return patch(state, {
        status: 'connecting',
        nextRetryAt: null,
        ...(event.reset && { attempt: 0 }),
        ...(event.close && { lastClose: event.close }),
      })
    case 'open':
      return patch(state, { status: 'open', lastError: null })
    case 'wait':
      return patch(state, {
        status: 'reconnecting',
        attempt: state.attempt + 1,
        nextRetryAt: event.at,
        lastClose: event.close ?? state.lastClose,
      })
    case 'close':
      return patch(state, { status: 'closed', nextRetryAt: null, lastClose: event.close ?? state.lastClose })
    case 'stable':
      return patch(state, { attempt: 0 })
    case 'error':
      return patch(state, { lastError: event.error })
    case 'latency':
      return patch(state, { latency: event.latency })
    case 'count':
      return patch(state, { queued: event.queued, pending: event.pending })
  }
}
