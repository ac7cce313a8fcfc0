import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { describe, expect, it } from 'vitest'
import { type BackoffOptions, backoffDelay, MAX_TIMER_DELAY } from '../backoff.js'
import { resolveOptions } from '../options.js'

const base: BackoffOptions = { initialDelay: 1000, maxDelay: 30_000, factor: 2, jitter: 'none' }
const top = () => 0.999_999
const bottom = () => 0

describe('backoff', () => {
  it('grows by factor from initialDelay without jitter', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, base))).toEqual([1000, 2000, 4000, 8000, 16_000])
  })

  it.each([1, 10, 10_000, Number.MAX_SAFE_INTEGER])('stays a finite number within [0, maxDelay] at attempt %i', (n) => {
    for (const jitter of ['full', 'equal', 'none'] as const) {
      for (const random of [top, bottom, Math.random]) {
        const delay = backoffDelay(n, { ...base, jitter }, random)
        expect(Number.isFinite(delay)).toBe(true)
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThanOrEqual(30_000)
      }
    }
  })

  it('reaches the cap at high attempts instead of overflowing to 0 or NaN', () => {
    expect(backoffDelay(10_000, base)).toBe(30_000)
    expect(backoffDelay(10_000, { ...base, factor: 1.000_001 })).toBe(Math.round(1000 * 1.000_001 ** 9999))
    expect(backoffDelay(Number.POSITIVE_INFINITY, base)).toBe(30_000)
    expect(backoffDelay(Number.POSITIVE_INFINITY, { ...base, factor: 1 })).toBe(1000)
    expect(backoffDelay(10_000, { ...base, jitter: 'equal' }, bottom)).toBe(15_000)
  })

  it('never exceeds 2^31-1 ms even when maxDelay is larger', () => {
    expect(backoffDelay(100, { ...base, maxDelay: Number.MAX_VALUE })).toBe(MAX_TIMER_DELAY)
  })

  it('keeps a delay of 0 when initialDelay is 0', () => {
    expect(backoffDelay(10_000, { ...base, initialDelay: 0 })).toBe(0)
  })

  it('applies full jitter after capping, uniformly over [0, cap]', () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const samples = Array.from({ length: 10_000 }, () => backoffDelay(50, { ...base, jitter: 'full' }, random))
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length
    expect(mean).toBeGreaterThan(14_000)
    expect(mean).toBeLessThan(16_000)
    // Each tenth of the range gets roughly a tenth of the samples: clients at the cap spread out.
    const buckets = new Array(10).fill(0)
    for (const s of samples) buckets[Math.min(9, Math.floor(s / 3000))]++
    for (const count of buckets) expect(count).toBeGreaterThan(800)
    expect(Math.min(...samples)).toBeLessThan(300)
    expect(Math.max(...samples)).toBeGreaterThan(29_700)
  })

  it('draws equal jitter in [cap/2, cap]', () => {
    expect(backoffDelay(3, { ...base, jitter: 'equal' }, bottom)).toBe(2000)
    expect(backoffDelay(3, { ...base, jitter: 'equal' }, top)).toBe(4000)
  })

  describe("full jitter within each attempt's window of the timeline (with elapsed)", () => {
    const full = { ...base, jitter: 'full' } as const // caps 1000, 2000, 4000…: windows [0,1000], [1000,3000], [3000,7000]

    it('draws the first retry in [0, cap] as plain full jitter does', () => {
      expect(backoffDelay(1, full, bottom, 0)).toBe(0)
      expect(backoffDelay(1, full, top, 0)).toBe(1000)
    })

    it('draws a retry after a quick refusal over the whole of its own window', () => {
      // Refused 10 ms after the drop: attempt 2 happens in [1000, 3000] after the drop.
      expect(backoffDelay(2, full, bottom, 10)).toBe(990)
      expect(backoffDelay(2, full, top, 10)).toBe(2990)
      // Attempt 3 after two quick refusals: [3000, 7000] after the drop.
      expect(backoffDelay(3, full, bottom, 20)).toBe(2980)
      expect(backoffDelay(3, full, top, 20)).toBe(6980)
      // Late in its window: what is left of it.
      expect(backoffDelay(3, full, bottom, 5000)).toBe(0)
      expect(backoffDelay(3, full, top, 5000)).toBe(2000)
    })

    it('waits at most twice maxDelay, and never beyond the end of the window', () => {
      const capped = { ...full, maxDelay: 4000 } // windows of 4 s from attempt 3 on: [3000, 7000], [7000, 11000]…
      for (let elapsed = 0; elapsed < 20_000; elapsed += 250) {
        for (const attempt of [3, 4, 5]) {
          const delay = backoffDelay(attempt, capped, top, elapsed)
          expect(delay).toBeLessThanOrEqual(8000)
          expect(elapsed + delay).toBeLessThanOrEqual(Math.max(elapsed + 4000, 3000 + (attempt - 2) * 4000))
        }
      }
    })

    it('keeps a herd spread at every attempt of a long outage, never collapsing into lockstep at the cap', () => {
      // 1,000 clients dropped together; the server refuses at once for 10 minutes. At every
      // moment, no 100 ms slice of the timeline may hold more than a few of the clients' attempts.
      let seed = 11
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
        return seed / 2 ** 31
      }
      const slices = new Map<number, number>()
      for (let client = 0; client < 1000; client++) {
        let time = 0
        for (let attempt = 1; time < 600_000; attempt++) {
          time += backoffDelay(attempt, { ...base, jitter: 'full' }, random, time) + 1 // refused after 1 ms
          const slice = Math.floor(time / 100)
          if (time >= 60_000) slices.set(slice, (slices.get(slice) ?? 0) + 1)
        }
      }
      // Uniform over 30 s windows: about 3.3 attempts per 100 ms; lockstep would put hundreds in one.
      expect(Math.max(...slices.values())).toBeLessThanOrEqual(20)
    })
    it('falls back to plain full jitter for a client behind its window (slow failures)', () => {
      expect(backoffDelay(2, full, bottom, 5000)).toBe(0)
      expect(backoffDelay(2, full, top, 5000)).toBe(2000)
    })

    it('brings a herd whose first retries were refused back within two windows, without a long tail', () => {
      // 500 clients dropped together; the server refuses for 500 ms, then answers at once.
      let seed = 7
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
        return seed / 2 ** 31
      }
      const back: number[] = []
      for (let client = 0; client < 500; client++) {
        let time = 0
        for (let attempt = 1; ; attempt++) {
          time += backoffDelay(attempt, full, random, time)
          if (time >= 500) break
          time += 1 // refused
        }
        back.push(time)
      }
      expect(Math.max(...back)).toBeLessThanOrEqual(3000) // attempt 2's window ends at 3 s
      const plain: number[] = []
      for (let client = 0; client < 500; client++) {
        let time = 0
        for (let attempt = 1; ; attempt++) {
          time += backoffDelay(attempt, full, random)
          if (time >= 500) break
          time += 1
        }
        plain.push(time)
      }
      expect(Math.max(...plain)).toBeGreaterThan(3000) // what the windows fix: refusals piling up
    })
  })
})

describe('backoff with the default reconnect settings', () => {
  const defaults = resolveOptions({ WebSocket: FakeWebSocket }).reconnect as BackoffOptions
  const seeded = (seed: number) => () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
  /** When each client is back after the server's return: every attempt before it is refused 1 ms after it starts. */
  const timesBack = (clients: number, downtime: number, random: () => number) =>
    Array.from({ length: clients }, () => {
      let time = 0
      for (let attempt = 1; ; attempt++) {
        time += backoffDelay(attempt, defaults, random, time)
        if (time >= downtime) return time - downtime
        time += 1
      }
    })
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? Number.NaN

  it('caps the first retry at 1.8 s and every later one at 3 s, with full jitter', () => {
    expect(defaults).toMatchObject({ initialDelay: 1800, maxDelay: 3000, factor: 2, jitter: 'full' })
    expect([1, 2, 3, 10].map((n) => backoffDelay(n, { ...defaults, jitter: 'none' }))).toEqual([1800, 3000, 3000, 3000])
  })

  it.each([5000, 10_000, 30_000, 100_000])(
    'brings clients back about 1.5 s (median) after the return of a server down %i ms, none later than two windows',
    (downtime) => {
      const back = timesBack(2000, downtime, seeded(downtime))
      // Uniform windows of 3 s at the cap: 7/12 × 3 s on average, a median of about 0.52 × 3 s.
      expect(median(back)).toBeGreaterThan(1200)
      expect(median(back)).toBeLessThan(1900)
      expect(Math.max(...back)).toBeLessThanOrEqual(6000)
    },
  )

  it('keeps 1,000 clients spread through a 10 minute outage and after the return', () => {
    const random = seeded(3)
    const attempts: number[] = []
    const returns: number[] = []
    for (let client = 0; client < 1000; client++) {
      let time = 0
      for (let attempt = 1; ; attempt++) {
        time += backoffDelay(attempt, defaults, random, time)
        if (time >= 600_000) break
        attempts.push(time)
        time += 1
      }
      returns.push(time)
    }
    const busiest = (times: number[]) => {
      const slices = new Map<number, number>()
      for (const t of times) slices.set(Math.floor(t / 100), (slices.get(Math.floor(t / 100)) ?? 0) + 1)
      return Math.max(...slices.values())
    }
    // 3 s windows: about 33 attempts per 100 ms at the cap; lockstep would put hundreds in one.
    expect(busiest(attempts.filter((t) => t >= 60_000))).toBeLessThanOrEqual(60)
    expect(busiest(attempts)).toBeLessThanOrEqual(100)
    expect(busiest(returns)).toBeLessThanOrEqual(60)
    expect(median(returns) - 600_000).toBeLessThan(1900)
  })
})
