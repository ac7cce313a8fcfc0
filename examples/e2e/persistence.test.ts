// A queue that survives a reload, in real browsers: messages sent while the server is down are kept
// in localStorage (webStorageQueue), survive the tab reloading, and arrive once, in order, when the
// server is back, ahead of what was sent after. With two tabs on one key, each queue is replayed once.
import { expect, it } from 'vitest'
import { describeEach, type Page, send, until, useHarness, waitForStatus } from './tabsHarness.js'

/** The `n`s the server received of `type`, in order. */
const numbers = (received: Array<{ type?: string; data?: unknown }>, type: string) =>
  received.filter((m) => m.type === type).map((m) => (m.data as { n: number }).n)

/** The records under `key` in the page's localStorage, as the number of items in each. */
const records = (page: Page, key: string) =>
  page.evaluate(
    (key) =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith(`${key}:`))
        .map((k) => JSON.parse(localStorage.getItem(k) as string).length as number),
    key,
  )

describeEach('webStorageQueue', (browser) => {
  const harness = useHarness(browser)

  for (const shared of [true, false]) {
    const query = `store=outbox&shared=${shared ? 1 : 0}`
    const how = shared ? 'connectShared' : 'connect'

    it(`${how}: what was sent while the server was down survives a reload and arrives once, in order`, async () => {
      const { server, open } = harness()
      server.down()
      const page = await open(query)
      await send(
        page,
        'kept',
        [1, 2, 3].map((n) => ({ n })),
      )
      await page.waitForFunction(() => Object.keys(localStorage).length === 1)
      await expect(records(page, 'outbox')).resolves.toEqual([3])

      await page.reload()
      await send(page, 'kept', [{ n: 4 }])
      server.up()
      await waitForStatus(page, 'open')
      await until(() => numbers(server.received, 'kept').length >= 4, 'the kept messages')
      await send(page, 'kept', [{ n: 5 }]) // everything before it has arrived once it has
      await until(() => numbers(server.received, 'kept').includes(5), 'the last one')
      expect(numbers(server.received, 'kept')).toEqual([1, 2, 3, 4, 5])
      await page.waitForFunction(() => Object.keys(localStorage).length === 0)
    })

    it(`${how}: two tabs on one key each keep their queue, and each is replayed once after both reload`, async () => {
      const { server, open } = harness()
      server.down()
      const a = await open(query)
      const b = await open(query)
      await send(
        a,
        'a',
        [1, 2, 3].map((n) => ({ n })),
      )
      await send(
        b,
        'b',
        [1, 2, 3].map((n) => ({ n })),
      )
      await a.waitForFunction(() => Object.keys(localStorage).length === 2)
      await expect(records(a, 'outbox')).resolves.toEqual([3, 3])

      // At the same time: each new page may take over either old queue, never both the same one.
      await Promise.all([a.reload(), b.reload()])
      server.up()
      for (const page of [a, b]) await waitForStatus(page, 'open')
      await send(a, 'a', [{ n: 4 }])
      await send(b, 'b', [{ n: 4 }])
      await until(
        () => numbers(server.received, 'a').includes(4) && numbers(server.received, 'b').includes(4),
        'both tabs',
      )
      expect(numbers(server.received, 'a')).toEqual([1, 2, 3, 4])
      expect(numbers(server.received, 'b')).toEqual([1, 2, 3, 4])
      expect(server.opened).toBe(shared ? 1 : 2)
      await a.waitForFunction(() => Object.keys(localStorage).length === 0)
    })
  }
})

/** A small seeded generator (mulberry32), so a failing round can be replayed from its seed. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describeEach('webStorageQueue, reloaded again and again,', (browser) => {
  const harness = useHarness(browser)
  /** Rounds per test; more by hand (RELOAD_ROUNDS=50) to measure how often a round fails. */
  const ROUNDS = Number(process.env.RELOAD_ROUNDS ?? 3)
  const RELOADS = 6

  for (const shared of [false, true]) {
    const how = shared ? 'connectShared' : 'connect'
    it(`${how}: a numbered sequence sent across reloads, with the server going down and up, arrives in order, each once`, async () => {
      const { server, open } = harness()
      for (let round = 0; round < ROUNDS; round++) {
        const seed = (Math.random() * 2 ** 31) | 0
        const random = seeded(seed)
        const type = `seq${round}`
        const page = await open(`store=reload${round}&shared=${shared ? 1 : 0}`)
        let n = 0
        for (let reload = 0; reload < RELOADS; reload++) {
          if (random() < 0.5) server.down()
          else server.up()
          // The page sends a few numbers, 3 ms apart; the reload lands anywhere among them, so
          // the timing itself is the subject here: what was queued, written or half-loaded then.
          const batch = Array.from({ length: 1 + Math.floor(random() * 6) }, () => ({ n: ++n }))
          await page.evaluate(
            ([type, batch]) => {
              const socket = (window as unknown as { socket: { send(type: string, data: unknown): string } }).socket
              for (const [i, data] of (batch as unknown[]).entries()) {
                setTimeout(() => socket.send(type as string, data), i * 3)
              }
            },
            [type, batch] as const,
          )
          await new Promise((resolve) => setTimeout(resolve, random() * 20))
          await page.reload()
        }
        server.up()
        await waitForStatus(page, 'open')
        await send(page, type, [{ n: ++n }]) // everything still queued has arrived once it has
        await until(() => numbers(server.received, type).includes(n), `the last one (seed ${seed})`)
        const got = numbers(server.received, type)
        expect(
          got.every((value, i) => i === 0 || value > (got[i - 1] as number)),
          `in order, each once (seed ${seed}): ${got}`,
        ).toBe(true)
        await page.close()
      }
    })
  }
})
