/**
 * mulberry32: a tiny seeded PRNG. The same seed gives the same numbers in [0, 1), so a
 * randomised run can be replayed exactly from the seed it printed.
 *
 * @example
 * ```ts
 * const random = mulberry32(42)
 * const coin = random() < 0.5
 * ```
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * The seed for a randomised test: `LIFELINE_CHAOS_SEED` from the environment (to replay a
 * failure), else a fresh one, so every run explores a different schedule.
 */
export function chaosSeed(): number {
  const given = Number(process.env.LIFELINE_CHAOS_SEED)
  if (Number.isInteger(given) && given >= 0) return given >>> 0
  return Math.floor(Math.random() * 4_294_967_296)
}
