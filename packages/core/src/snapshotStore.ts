import { STALE } from './emitter.js'
import { type Transition, transition } from './transition.js'
import { idleSnapshot, type Snapshot } from './types.js'

/** What the snapshot store asks of its socket. */
export interface SnapshotHost {
  /** The queued and pending counts as they are now. */
  counts(): Pick<Snapshot, 'queued' | 'pending'>
  /** Whether anyone listens to `state`. */
  has(type: 'state'): boolean
  /** Emits `state` once the action under way has finished, with the payload `read` gives then. */
  emitFresh(type: 'state', read: () => Snapshot | typeof STALE): void
}

/** The socket's state and its `state` events; see {@link createSnapshotStore}. */
export interface SnapshotStore {
  /**
   * The state as last committed. Its `queued` and `pending` counts may lag behind the queue and
   * the requests: {@link SnapshotStore.read} brings them up to date.
   */
  state: Snapshot
  /** The snapshot, counts up to date: `getSnapshot()`. */
  read(): Snapshot
  /** Commits what `event` does to the state (see {@link transition}) and notifies if it changed. */
  dispatch(event: Transition): void
  /** The queued or pending count changed: they are read again when the snapshot is next read. */
  counted(): void
}

/**
 * Holds the socket's snapshot and sends its changes out as `state` events, coalesced: one
 * notification waits at a time and carries the snapshot as it is when it goes out, and none goes
 * out when the snapshot ends up as it was. The counts of the queue and of pending requests change
 * on every send and reply, so they are not copied in then: a change only marks them for a recount
 * the next time the snapshot is read, by `getSnapshot()` or by a notification. Nobody listening
 * (requests and sends on the hot path) means no snapshot is built until it is read.
 */
export function createSnapshotStore(host: SnapshotHost): SnapshotStore {
  /** A `state` notification is waiting to go out. */
  let notifying = false
  /** The counts changed since the snapshot was built. */
  let recount = false
  /** The snapshot the last `state` event carried. */
  let published = idleSnapshot

  const publish = () => {
    notifying = false
    // Nobody listens: the snapshot waits until it is read.
    if (!host.has('state')) return STALE
    const before = published
    published = store.read()
    // Counts that changed and changed back within one action leave the snapshot as it was.
    return published === before ? STALE : published
  }
  const notify = () => {
    if (notifying) return
    notifying = true
    host.emitFresh('state', publish)
  }

  const store: SnapshotStore = {
    state: idleSnapshot,
    read() {
      if (recount) {
        recount = false
        store.state = transition(store.state, { type: 'update', changes: host.counts() })
      }
      return store.state
    },
    dispatch(event) {
      const next = transition(store.state, event)
      if (next === store.state) return
      store.state = next
      notify()
    },
    counted() {
      recount = true
      notify()
    },
  }
  return store
}
