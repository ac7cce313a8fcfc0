import { EventEmitter } from 'eventemitter3'

type Listener = (payload: never) => void

/**
 * A typed wrapper over eventemitter3. Every handler runs inside a guard, so one that throws
 * is reported through `onFailure` and the other handlers still run.
 */
export class Emitter<Events extends object> {
  readonly #ee = new EventEmitter()
  readonly #guards = new Map<string | symbol, (this: Listener, payload: unknown) => void>()
  readonly #onFailure: (type: string, error: unknown) => void

  constructor(onFailure: (type: string, error: unknown) => void) {
    this.#onFailure = onFailure
  }

  on<K extends keyof Events>(type: K, handler: (payload: Events[K]) => void, once = false): () => void {
    const guard = this.#guard(type as string)
    // The user's handler rides along as the listener's context, so `off` can find it again.
    if (once) this.#ee.once(type as string, guard, handler)
    else this.#ee.on(type as string, guard, handler)
    return () => this.off(type, handler)
  }

  off<K extends keyof Events>(type: K, handler?: (payload: Events[K]) => void): void {
    if (handler) this.#ee.off(type as string, this.#guard(type as string), handler)
    else this.#ee.removeAllListeners(type as string)
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    this.#ee.emit(type as string, payload)
  }

  has(type: keyof Events): boolean {
    return this.#ee.listenerCount(type as string) > 0
  }

  clear(): void {
    this.#ee.removeAllListeners()
  }

  #guard(type: string): (this: Listener, payload: unknown) => void {
    let guard = this.#guards.get(type)
    if (!guard) {
      const onFailure = this.#onFailure
      guard = function (this: Listener, payload: unknown) {
        try {
          this(payload as never)
        } catch (error) {
          onFailure(type, error)
        }
      }
      this.#guards.set(type, guard)
    }
    return guard
  }
}
