/** The largest delay a timer can wait for in browsers and Node (about 24.8 days). */
export const MAX_TIMER_DELAY = 2 ** 31 - 1

/** A timer handle, as `setTimeout` returns it in any runtime. */
export type Timer = ReturnType<typeof setTimeout>

/**
 * How far the wall clock must get ahead of `performance.now()` between two reads, in ms, to be
 * taken as a sleep. Below it, the gap is the two clocks' granularity and drift: 1 ms steps of
 * `Date.now()` against sub-millisecond ones, which would make the clock run fast if counted.
 */
export const SLEEP_THRESHOLD = 1000

/**
 * A clock for durations, one per socket: milliseconds that never go back. It follows
 * `performance.now()`. Some platforms stop that clock while the machine sleeps, and a deadline
 * must still be seen as passed after a wake: so when the wall clock got ahead of it by more than
 * {@link SLEEP_THRESHOLD} since the last read, the wall clock's step counts instead. A backward
 * step of the wall clock (NTP, a user changing the time) is ignored: it neither postpones a
 * deadline nor gives a negative latency.
 */
export function monotonic(): () => number {
  const perf = () => globalThis.performance?.now() ?? Date.now()
  let elapsed = 0
  let wall = Date.now()
  let mono = perf()
  return () => {
    const w = Date.now()
    const m = perf()
    const step = Math.max(0, m - mono)
    elapsed += w - wall > step + SLEEP_THRESHOLD ? w - wall : step
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
