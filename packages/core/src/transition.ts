import type { Snapshot } from './types.js'

/** Everything that can happen to a socket's state; {@link transition} says what each one does. */
export type Transition =
  /** An attempt starts: `open()`, `reconnect()`, a retry timer, `online`. `reset` zeroes `attempt`. */
  | { type: 'connect'; reset?: boolean; close?: Snapshot['lastClose'] }
  /** The link is up, `onOpen` settled and the queue flushed. */
  | { type: 'open' }
  /** The link or attempt ended and a retry is scheduled at `at` (epoch ms). */
  | { type: 'wait'; at: number; close: Snapshot['lastClose'] }
  /** Closed for good: by the user, a terminal close code, or after `maxAttempts`. */
  | { type: 'close'; close: Snapshot['lastClose'] }
  /** The link stayed open for `stableAfter`. */
  | { type: 'stable' }
  /** A field that does not move the status: the last error, latency, the queued and pending counts. */
  | { type: 'update'; changes: Partial<Pick<Snapshot, 'lastError' | 'latency' | 'queued' | 'pending'>> }

/** `state` with `changes` applied: the same object when nothing changes, else a new frozen one. */
function patch(state: Snapshot, changes: Partial<Snapshot>): Snapshot {
  for (const key in changes) {
    if (changes[key as keyof Snapshot] !== state[key as keyof Snapshot]) return Object.freeze({ ...state, ...changes })
  }
  return state
}

/**
 * The socket's state machine, as a pure function: the snapshot after `event`. It returns
 * `state` itself when the event changes nothing or is not allowed from the current status
 * (`open` only ends an attempt, `wait` only follows an attempt or an open link, `stable` only
 * applies to an open link, `close` only once), so a caller can tell a stale event by identity.
 */
export function transition(state: Snapshot, event: Transition): Snapshot {
  const { status } = state
  switch (event.type) {
    case 'connect':
      return patch(state, {
        status: 'connecting',
        nextRetryAt: null,
        attempt: event.reset ? 0 : state.attempt,
        lastClose: event.close ?? state.lastClose,
      })
    case 'open':
      return status === 'connecting' ? patch(state, { status: 'open', lastError: null }) : state
    case 'wait':
      return status === 'connecting' || status === 'open'
        ? patch(state, {
            status: 'reconnecting',
            attempt: state.attempt + 1,
            nextRetryAt: event.at,
            lastClose: event.close ?? state.lastClose,
          })
        : state
    case 'close':
      return status === 'closed'
        ? state
        : patch(state, { status: 'closed', nextRetryAt: null, lastClose: event.close ?? state.lastClose })
    case 'stable':
      return status === 'open' ? patch(state, { attempt: 0 }) : state
    case 'update':
      return patch(state, event.changes)
  }
}
