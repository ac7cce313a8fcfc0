// A peer over its rate limit, in the hub's own process: what it has already sent is read a bounded
// number of frames at a time, so the other peers' frames are read in between.
import { describe, expect, it } from 'vitest'
import { rawClient, startHub, until } from './support/hub.js'

describe('a peer over its rate limit', () => {
  it('has at most 64 of its refused frames read in one turn of the event loop, not a whole TCP chunk', async () => {
    const { hub, url } = await startHub({ rateLimit: { messages: 10, burst: 1, closeAfter: 60_000 } })
    const ws = await rawClient(url)
    // The turns of the hub's event loop, and the frames refused in each.
    let most = 0
    let turns = 0
    let sampling = true
    let last = hub.stats().rateLimited
    const sample = () => {
      const now = hub.stats().rateLimited
      most = Math.max(most, now - last)
      last = now
      turns++
      if (sampling) setImmediate(sample)
    }
    sample()
    // About 170 kB of small frames in one go: far more than one chunk `ws` reads at once.
    for (let i = 0; i < 5000; i++) ws.send(`{"type":"chat","data":{"n":${i}}}`)
    await until(() => hub.stats().rateLimited >= 1000, 'a thousand frames refused')
    sampling = false
    expect(most).toBeGreaterThan(0)
    expect(most).toBeLessThanOrEqual(64)
    expect(turns).toBeGreaterThan(1000 / 64)
  })
})
