// The part every adapter shares: a `ready` promise for the first open, and lists of
// open/close listeners. Message handlers are attached to each library directly, so the
// hot path has the same single indirection everywhere.

/** Lifecycle plumbing for one client: call `opened()` / `closed()` from the library's events. */
export function lifecycle() {
  const opens = []
  const closes = []
  let resolveReady
  const ready = new Promise((resolve) => {
    resolveReady = resolve
  })
  return {
    ready,
    onOpen: (fn) => opens.push(fn),
    onClose: (fn) => closes.push(fn),
    opened() {
      resolveReady()
      for (const fn of opens) fn()
    },
    closed() {
      for (const fn of closes) fn()
    },
  }
}

/**
 * Maps the bench's reconnect setting to a peer's option names: `undefined` keeps the
 * library's defaults; `{ initialDelay, maxDelay }` equalises them.
 */
export function peerReconnectOptions(reconnect) {
  if (!reconnect) return {}
  return { minReconnectionDelay: reconnect.initialDelay, maxReconnectionDelay: reconnect.maxDelay }
}
