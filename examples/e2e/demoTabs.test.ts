// The demo page with ?share, in real browsers: three tabs share one WebSocket, the Tabs card says
// which tab leads and how many share it, and closing the leader tab shows another take over.
import { mkdirSync } from 'node:fs'
import { expect, it } from 'vitest'
import type { Page } from './browsers.js'
import { describeEach, picture, RESULTS, say, useDemo, waitForMessages, waitForStatus } from './demo.js'

const role = (page: Page) => page.locator('#tabs-card').getAttribute('data-role')

describeEach('the demo page sharing one connection across tabs', (browser) => {
  /** The picture of the Tabs card after a handover, refreshed on every run. */
  const SCREENSHOT = picture('demo-tabs', browser)
  const demo = useDemo('demo-tabs', browser)

  it('shows one leader and three tabs on one server socket, and a handover when the leader tab closes', async () => {
    const pages: Page[] = []
    for (let i = 0; i < 3; i++) {
      const page = await demo().open('/?share')
      await waitForStatus(page, 'open')
      pages.push(page)
    }
    for (const page of pages) await page.locator('#tabs-count', { hasText: '3' }).waitFor()
    const roles = await Promise.all(pages.map(role))
    expect(roles.filter((r) => r === 'leader')).toHaveLength(1)
    expect(roles.filter((r) => r === 'follower')).toHaveLength(2)
    const status = await (await fetch(new URL('/control/status', demo().server.url))).json()
    expect(status.clients).toBe(1)
    await pages[0]?.locator('#tabs-server', { hasText: '1' }).waitFor()

    // A chat from a follower reaches every tab, through the one connection.
    const follower = pages[roles.indexOf('follower')] as Page
    await say(follower, 'through the leader')
    for (const page of pages) await waitForMessages(page, ['through the leader'])

    const leader = pages[roles.indexOf('leader')] as Page
    const others = pages.filter((page) => page !== leader)
    const closed = Date.now()
    await leader.close()
    await Promise.race(others.map((page) => page.locator('#tabs-card[data-role="leader"]').waitFor({ timeout: 3000 })))
    console.log(`demo handover: a tab leads again ${Date.now() - closed} ms after the leader tab closed`)
    for (const page of others) {
      await page.locator('#tabs-count', { hasText: '2' }).waitFor()
      await waitForStatus(page, 'open')
    }
    const next = await Promise.all(others.map(role))
    expect(next.filter((r) => r === 'leader')).toHaveLength(1)
    const watcher = others[next.indexOf('follower')] as Page
    await watcher.locator('#tabs-events li[data-type="handover"]').waitFor()
    await say(watcher, 'after the handover')
    for (const page of others) await waitForMessages(page, ['through the leader', 'after the handover'])

    mkdirSync(RESULTS, { recursive: true })
    await watcher.locator('#tabs-card').scrollIntoViewIfNeeded()
    await watcher.screenshot({ path: SCREENSHOT, fullPage: true })
    console.log(`screenshot of the demo after a handover: ${SCREENSHOT}`)
  })

  it('gives each tab its own connection without ?share, and says so', async () => {
    const page = await demo().open()
    await waitForStatus(page, 'open')
    await expect(role(page)).resolves.toBe('own')
    await expect(page.locator('#tabs-mode').textContent()).resolves.toBe('one per tab')
    await expect(page.locator('#connect-call').textContent()).resolves.toContain('Lifeline.connect(')
  })
})
