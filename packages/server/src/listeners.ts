/** A listener of any event; the public types say which arguments each event has. */
// biome-ignore lint/suspicious/noExplicitAny: the registry is untyped inside; Hub and Peer type it
type Listener = (...args: any[]) => void

/**
 * Listeners by event name. Every subscription is its own entry, so the function `on` returns
 * removes exactly that one; a listener that throws is passed to `onFailure` and the others
 * still run. Nothing is ever thrown into the caller of `emit` (a `ws` callback).
 */
export interface Listeners {
  on(type: string, listener: Listener): () => void
  emit(type: string, ...args: unknown[]): void
  has(type: string): boolean
  clear(): void
}

export function createListeners(onFailure: (type: string, error: unknown) => void): Listeners {
  const byType = new Map<string, Set<{ listener: Listener }>>()

  return {
    on(type, listener) {
      const entry = { listener }
      const set = byType.get(type) ?? new Set()
      byType.set(type, set.add(entry))
      return () => {
        set.delete(entry)
      }
    },
    emit(type, ...args) {
      const set = byType.get(type)
      if (!set) return
      for (const { listener } of [...set]) {
        try {
          listener(...args)
        } catch (error) {
          onFailure(type, error)
        }
      }
    },
    has: (type) => (byType.get(type)?.size ?? 0) > 0,
    clear: () => byType.clear(),
  }
}
