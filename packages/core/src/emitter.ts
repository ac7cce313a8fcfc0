import { EventEmitter } from 'eventemitter3'

/** A subscription as eventemitter3 holds it: the handler, and whether it is still subscribed. */
type Listener = ((payload: unknown) => void) & { handler?: unknown; removed?: boolean }

/** What a deferred event's `read` returns when the event no longer holds and must not go out. */
export const STALE: unique symbol = Symbol('stale')

/**
 * A typed event emitter over eventemitter3 that runs to completion: events emitted while an
 * action is under way (see {@link Emitter.atomic}) wait until it has finished, then go out in
 * order. A handler therefore always sees committed state, and whatever it calls (even `close()`
 * in the middle of a flush) runs as a new action instead of inside a half-done one. An event
 * that describes the present (a snapshot, "open") can be read when it goes out instead, and
 * skipped if a handler before it made it untrue.
 *
 * Every subscription gets its own guard, so the function `on` returns removes exactly that
 * subscription; a handler that throws is reported through `onFailure` and the others still run.
 * A listener removed while an event is going out is not called for it, even if it was due later
 * in the same event, as with the `Set` of listeners of zustand and TanStack Query. One added
 * while an event is going out is first called for the next event.
 */
export interface Emitter<Events extends object> {
  on<K extends keyof Events>(type: K, handler: (payload: Events[K]) => void, once?: boolean): () => void
  /** Removes every subscription of `handler` to `type`, or every handler of `type`. */
  off<K extends keyof Events>(type: K, handler?: (payload: Events[K]) => void): void
  /** Emits now, or once the current action has finished. */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void
  /** Like `emit`, with the payload read when the event goes out; `STALE` skips it. */
  emitFresh<K extends keyof Events>(type: K, read: () => Events[K] | typeof STALE): void
  /** Runs `step` after the events emitted so far have gone out (and whatever their handlers did). */
  after(step: () => void): void
  has(type: keyof Events): boolean
  /** Wraps `fn` so that the events it causes go out when it returns. */
  atomic<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R
  /** Removes every handler once the events under way have gone out. */
  clear(): void
}

export function createEmitter<Events extends object>(
  onFailure: (type: string, error: unknown) => void,
): Emitter<Events> {
  const ee = new EventEmitter()
  /**
   * Events waiting for the action under way, three slots each: a type, a payload, and a read of
   * the payload or `undefined`. Flat and reused, so queueing an event allocates nothing: `size`
   * slots are in use, and the array keeps its length.
   */
  const queue: unknown[] = []
  let size = 0
  let depth = 0
  let draining = false
  let clearing = false

  const push = (type: string, payload: unknown, read: (() => unknown) | undefined) => {
    queue[size] = type
    queue[size + 1] = payload
    queue[size + 2] = read
    size += 3
  }

  const drain = () => {
    if (draining || depth) return
    draining = true
    let next = 0
    try {
      while (next < size) {
        const type = queue[next] as string
        const payload = queue[next + 1]
        const read = queue[next + 2] as (() => unknown) | undefined
        queue[next + 1] = queue[next + 2] = undefined // no payload is kept once it went out
        next += 3
        const value = read ? read() : payload
        if (value !== STALE && type) ee.emit(type, value)
      }
      if (clearing) {
        for (const type of ee.eventNames() as string[]) {
          for (const listener of ee.listeners(type) as Listener[]) remove(type, listener)
        }
      }
    } finally {
      // After a throw, what was not emitted yet moves to the front.
      queue.copyWithin(0, next, size)
      size -= next
      // A burst (thousands of drops at once) does not keep its room for ever.
      if (!size && queue.length > 3072) queue.length = 0
      draining = false
    }
  }

  /** Unsubscribes `listener`; eventemitter3 calls the listeners an event had when it began, so it is also marked. */
  const remove = (type: string, listener: Listener) => {
    listener.removed = true
    ee.off(type, listener)
  }

  return {
    on(type, handler, once) {
      const listener: Listener = (payload) => {
        if (listener.removed) return
        try {
          handler(payload as never)
        } catch (error) {
          onFailure(type as string, error)
        }
      }
      listener.handler = handler
      ee[once ? 'once' : 'on'](type as string, listener)
      return () => remove(type as string, listener)
    },
    off(type, handler) {
      for (const listener of ee.listeners(type as string) as Listener[]) {
        if (!handler || listener.handler === handler) remove(type as string, listener)
      }
    },
    emit(type, payload) {
      // Nothing under way and nothing waiting (the hot path of incoming messages): out now.
      if (depth || draining) push(type as string, payload, undefined)
      else ee.emit(type as string, payload)
    },
    emitFresh(type, read) {
      push(type as string, undefined, read)
      drain()
    },
    after(step) {
      push('', undefined, step)
      drain()
    },
    has: (type) => ee.listenerCount(type as string) > 0,
    atomic:
      (fn) =>
      (...args) => {
        depth++
        try {
          return fn(...args)
        } finally {
          depth--
          drain()
        }
      },
    clear() {
      clearing = true
      drain()
    },
  }
}
