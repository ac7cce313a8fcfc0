import { LifelineError } from '@lifeline/core'

/** A subscription: the event type, the handler, and whether it is called once only. */
export type Listener = [type: string, handler: (payload: never) => void, once?: boolean]

const uncaught = (error: unknown) =>
  ((globalThis as { reportError?: (error: unknown) => void }).reportError ?? console.error)(error)

/**
 * The events a shared socket emits itself (its `state`, and the connection's `reconnecting`,
 * `latency` and `error` as the leader relays them), with a socket's rules: a listener added during
 * an event is first called for the next one, one removed during an event is not called by it, and a
 * throwing handler is reported as an `error` event (`HANDLER_FAILED`), or as uncaught where that is
 * not heard or is what threw. Core's emitter does the same for a socket, but it is not part of the
 * core's public entry, and bundled into this one it would cost more than the whole tabs budget.
 */
export function tabEvents() {
  const listeners = new Set<Listener>()

  /** Calls the listeners of `type`; returns whether there were any. */
  const emit = (type: string, payload: unknown): boolean => {
    let heard = false
    for (const entry of [...listeners]) {
      if (entry[0] !== type || !listeners.has(entry)) continue
      heard = true
      if (entry[2]) listeners.delete(entry)
      try {
        entry[1](payload as never)
      } catch (cause) {
        if (
          type === 'error' ||
          type === 'state' ||
          !emit('error', new LifelineError('HANDLER_FAILED', `${type} handler threw`, { cause }))
        )
          uncaught(cause)
      }
    }
    return heard
  }

  return {
    emit,
    /** Adds a listener; returns the function that removes it. */
    on(type: string, handler: Listener[1], once?: boolean) {
      const entry: Listener = [type, handler, once]
      listeners.add(entry)
      return () => {
        listeners.delete(entry)
      }
    },
    /** Removes the listeners of `type` that are `handler`, or all of them. */
    off(type: string, handler?: unknown) {
      for (const entry of listeners)
        if (entry[0] === type && (!handler || entry[1] === handler)) listeners.delete(entry)
    },
    clear: () => listeners.clear(),
  }
}
