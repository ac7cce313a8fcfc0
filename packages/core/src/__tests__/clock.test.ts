import { afterEach, describe, expect, it, vi } from 'vitest'
import { chaosSeed, mulberry32 } from '../../test/support/random.js'
import { monotonic, SLEEP_THRESHOLD } from '../clock.js'

/**
 * The two clocks of a machine, stubbed: real time moves only when the test says so.
 * `performance.now()` has 5 µs steps (browsers coarsen it to 5–100 µs); `Date.now()` has 1 ms
 * steps and reads its own source, up to 20 µs off either way at each read, so near a step it
 * sometimes goes back a millisecond, as real clocks do.
 */
function machine(seed: number) {
  const random = mulberry32(seed)
  const epoch = 1_700_000_000_000 + random() * 1000
  let real = 1000 + random() * 1000 // ms since the page loaded
  let asleep = 0 // ms the monotonic clock missed while the machine slept
  let wallShift = 0 // ms the wall clock was set by hand
  // Plain functions rather than spies: a spy records every one of the hot loop's calls.
  Date.now = () => Math.floor(epoch + real + wallShift + (random() - 0.5) * 0.04)
  performance.now = () => Math.floor((real - asleep) * 200) / 200
  return {
    random,
    get real() {
      return real
    },
    pass(ms: number) {
      real += ms
    },
    /** The machine sleeps: the wall clock moves on, `performance.now()` does not. */
    sleep(ms: number) {
      real += ms
      asleep += ms
    },
    setWallClock(by: number) {
      wallShift += by
    },
  }
}

const { now: dateNow } = Date
const performanceNow = performance.now
afterEach(() => {
  vi.unstubAllGlobals()
  Date.now = dateNow
  performance.now = performanceNow
})

describe('monotonic', () => {
  it('keeps real time when read in a hot loop, to within a millisecond over 2 s (seeded runs)', () => {
    for (let run = 0; run < 10; run++) {
      const seed = chaosSeed()
      const clock = machine(seed)
      const now = monotonic()
      const start = clock.real
      let last = now()
      let back = 0
      let worst = 0
      // Reads 1 µs to 0.3 ms apart, mostly in bursts: a busy socket reads its clock for every request and queued message.
      while (clock.real - start < 2000) {
        clock.pass(clock.random() < 0.9 ? 0.001 + clock.random() * 0.05 : clock.random() * 0.3)
        const read = now()
        back = Math.max(back, last - read)
        last = read
        worst = Math.max(worst, Math.abs(read - (clock.real - start)))
      }
      expect(back, `seed ${seed}: the clock went back`).toBe(0)
      expect(worst, `seed ${seed}: the clock strayed from real time`).toBeLessThan(1)
    }
  })

  it('counts a sleep that performance.now() missed as time passed', () => {
    const clock = machine(1)
    const now = monotonic()
    const before = now()
    clock.pass(100)
    clock.sleep(30_000)
    expect(now() - before).toBeCloseTo(30_100, -1)
    clock.pass(50)
    expect(now() - before).toBeCloseTo(30_150, -1)
  })

  it('ignores the wall clock set back, and follows performance.now() on', () => {
    const clock = machine(2)
    const now = monotonic()
    const before = now()
    clock.pass(100)
    clock.setWallClock(-3_600_000)
    expect(now() - before).toBeCloseTo(100, 0)
    clock.pass(100)
    expect(now() - before).toBeCloseTo(200, 0)
  })

  it('takes a wall clock step smaller than the threshold as drift, not time passed', () => {
    const clock = machine(3)
    const now = monotonic()
    const before = now()
    clock.setWallClock(SLEEP_THRESHOLD / 2)
    clock.pass(10)
    expect(now() - before).toBeCloseTo(10, 0)
  })

  it('follows Date.now() where there is no performance.now()', () => {
    vi.stubGlobal('performance', undefined)
    let wall = 5000
    Date.now = () => wall
    const now = monotonic()
    const before = now()
    wall += 250
    expect(now() - before).toBe(250)
    wall -= 1000
    expect(now() - before).toBe(250)
    wall += 10
    expect(now() - before).toBe(260)
  })

  it('moves with vitest fake timers, which fake Date and performance together', () => {
    vi.useFakeTimers()
    try {
      const now = monotonic()
      const before = now()
      vi.advanceTimersByTime(1500)
      expect(now() - before).toBe(1500)
      vi.setSystemTime(Date.now() + 60_000) // the wall clock alone: a sleep
      expect(now() - before).toBe(61_500)
    } finally {
      vi.useRealTimers()
    }
  })
})
