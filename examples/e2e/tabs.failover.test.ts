// connectShared's failover in real browsers, randomized: three tabs of one profile, two followers sending
// bursts of ticks of random sizes at random intervals, and the leader tab crashed (CDP `Page.crash`)
// (Chromium only: Firefox offers no way to crash a tab from outside) or closed at a random moment. The server counts what each tab sent: nothing is lost without a
// `drop` event, the order of first arrivals holds, a tick arrives twice at most as often as
// docs/tabs.md says, and two connections overlap at the server for no longer than it says.
// TABS_ROUNDS=30 runs more rounds (the suite runs a few).
import { expect, it } from 'vitest'
import type { TabsServer } from './tabs/server.js'
import { describeEach, type Page, snapshot, until, useHarness, waitForStatus } from './tabsHarness.js'

const ROUNDS = Number(process.env.TABS_ROUNDS ?? 4)
/** What docs/tabs.md promises: after the leader goes, at most this many of a tab's frames arrive twice (`IN_FLIGHT`). */
const TWICE_AT_MOST = 64
/**
 * The longest the server held two connections during a failover, in ms: the browser closes the old
 * tab's WebSocket as the new leader connects (docs/tabs.md gives the figures measured here).
 */
const OVERLAP_AT_MOST = Number(process.env.TABS_OVERLAP_MS ?? 250)
/** How many ticks each follower sends in a round. */
const TICKS = 300

type Win = {
  socket: { send(type: string, data: unknown): string; getSnapshot(): { tabs: number } }
  log: { drops: Array<{ type: string; data: { n: number } }> }
  ticking(tab: number, every: number, burst: number, pad: number, total: number): void
}

/** What the server holds of one follower's ticks. */
function account(server: TabsServer, tab: number, dropped: number[]) {
  const ns = server.received
    .filter((m) => m.type === 'tick' && (m.data as { tab: number }).tab === tab)
    .map((m) => (m.data as { n: number }).n)
  const got = new Set(ns)
  const lost = Array.from({ length: TICKS }, (_, n) => n).filter((n) => !got.has(n) && !dropped.includes(n))
  const firsts = ns.filter((n, i) => ns.indexOf(n) === i)
  return {
    lost,
    duplicates: ns.length - got.size,
    ordered: firsts.every((n, i) => i === 0 || n > (firsts[i - 1] ?? 0)),
  }
}

/** The longest time, in ms, the server held a connection opened after another that was still open. */
function overlap(server: TabsServer): number {
  let most = 0
  const { connections } = server
  for (const [i, later] of connections.entries()) {
    for (const earlier of connections.slice(0, i)) {
      most = Math.max(most, (earlier.closed ?? performance.now()) - later.opened)
    }
  }
  return most
}

describeEach('connectShared failover, randomized', (browser) => {
  const harness = useHarness(browser)

  for (let round = 1; round <= ROUNDS; round++) {
    // CDP's Page.crash: Chromium only.
    const crashes =
      browser.engine === 'chromium' && (process.env.TABS_END ?? (round % 2 ? 'crashes' : 'closes')) === 'crashes'
    const end = crashes ? 'crashes' : 'closes'
    it(`round ${round}: the leader tab ${end} while followers send; nothing is lost, one connection at a time`, async () => {
      const { server, context, open } = harness()
      const pages = [await open(), await open(), await open()]
      for (const page of pages) await waitForStatus(page, 'open')
      for (const page of pages)
        await page.waitForFunction(() => (window as unknown as Win).socket.getSnapshot().tabs === 3)
      const leader = pages[(await Promise.all(pages.map(snapshot))).findIndex((s) => s.leader)] as Page
      const followers = pages.filter((page) => page !== leader)

      const every = 1 + Math.floor(Math.random() * 6)
      const burst = 1 + Math.floor(Math.random() * 12)
      const pad = Math.floor(Math.random() * 4096)
      const at = 10 + Math.floor(Math.random() * 200)
      // Ready before the ticks start, so the crash comes while they go.
      const crash = end === 'crashes' ? await context.prepareCrash?.(leader) : undefined
      for (const [tab, page] of followers.entries()) {
        await page.evaluate(
          ([tab, every, burst, pad, total]) => (window as unknown as Win).ticking(tab, every, burst, pad, total),
          [tab, every, burst, pad, TICKS] as const,
        )
      }
      await until(() => server.received.filter((m) => m.type === 'tick').length >= at, `${at} ticks`)
      if (crash) await crash()
      else await leader.close()

      const drops = async (page: Page) =>
        (await page.evaluate(() => (window as unknown as Win).log.drops))
          .filter((d) => d.type === 'tick')
          .map((d) => d.data.n)
      const settled = async () => {
        const dropped = await Promise.all(followers.map(drops))
        return followers.every((_, tab) => account(server, tab, dropped[tab] ?? []).lost.length === 0)
      }
      const deadline = Date.now() + 8000
      while (!(await settled()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))

      const dropped = await Promise.all(followers.map(drops))
      const tabs = followers.map((_, tab) => account(server, tab, dropped[tab] ?? []))
      const overlapMs = Math.round(overlap(server))
      console.log(
        `round ${round} (${end} after ${at} ticks; every ${every} ms, bursts of ${burst}, ${pad} B):`,
        tabs.map((t, tab) => `tab ${tab}: lost ${t.lost.length}, twice ${t.duplicates}`).join('; '),
        `; connections ${server.opened}, overlap ${overlapMs} ms`,
      )
      // TABS_DEBUG=<folder> keeps each round's record there.
      if (process.env.TABS_DEBUG) {
        const { writeFileSync } = await import('node:fs')
        writeFileSync(
          `${process.env.TABS_DEBUG}/round-${round}.json`,
          JSON.stringify({
            end,
            tabs,
            connections: server.connections,
            snapshots: await Promise.all(followers.map(snapshot)),
            received: server.received
              .filter((m) => m.type === 'tick')
              .map((m) => [m.connection, (m.data as { tab: number }).tab, (m.data as { n: number }).n]),
          }),
        )
      }
      for (const t of tabs) {
        expect(t.lost, 'ticks neither received nor dropped').toEqual([])
        expect(t.ordered, 'first arrivals in order').toBe(true)
        expect(t.duplicates).toBeLessThanOrEqual(TWICE_AT_MOST)
      }
      expect(overlapMs, 'ms the server held two connections').toBeLessThanOrEqual(OVERLAP_AT_MOST)
      expect(server.open).toBe(1)
    })
  }
})
