/** The largest delay a timer can wait for in browsers and Node (about 24.8 days). */
export const MAX_TIMER_DELAY = 2 ** 31 - 1

/** A timer handle, as `setTimeout` returns it in any runtime. */
export type Timer = ReturnType<typeof setTimeout>

/**
 * A clock for durations, one per socket: milliseconds that never go back. It follows
 * `performance.now()`, and also takes a forward step of the wall clock as time passed, since
 * some platforms stop the monotonic clock while the machine sleeps and a deadline must still
 * be seen as passed after a wake. A backward step of the wall clock (NTP, a user changing the
 * time) is ignored: it neither postpones a deadline nor gives a negative latency.
 */
export function monotonic(): () => number {
  const perf = () => globalThis.performance?.now() ?? Date.now()
  let elapsed = 0
  let wall = Date.now()
  let mono = perf()
  return () => {
    const w = Date.now()
    const m = perf()
    elapsed += Math.max(m - mono, w - wall)
    wall = w
    mono = m
    return elapsed
  }
}

/**
 * `setTimeout` with its delay clamped to [0, 2^31-1] ms, looked up at each call (so fake timers
 * installed later are used). Larger delays would fire after 1 ms in every runtime.
 */
export const after = (run: () => void, ms: number): Timer => setTimeout(run, Math.min(MAX_TIMER_DELAY, Math.max(0, ms)))
