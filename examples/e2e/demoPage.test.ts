// What the demo page shows as it happens, in real browsers: "Reconnect now" from Closed, reconnect
// attempts numbered in the order they happened, a fault logged before the closes it causes, and
// the timeline naming every fault window, however short.

import { expect, it } from 'vitest'
import type { Page } from './browsers.js'
import { describeEach, openChat, shortenFault, useDemo, waitForStatus } from './demo.js'

/** The attempts list, top to bottom: each row's number as shown, its `data-n`, Lifeline's counter and its foot. */
function attemptRows(page: Page) {
  return page.locator('#attempts .attempt').evaluateAll((items) =>
    items.map((item) => ({
      shown: item.querySelector('.attempt-n')?.textContent ?? '',
      n: Number((item as HTMLElement).dataset.n),
      attempt: Number((item as HTMLElement).dataset.attempt),
      foot: item.querySelector('.attempt-foot')?.textContent ?? '',
    })),
  )
}

/** Crashes the server from the page and waits until the socket is open again. */
async function crashAndRecover(page: Page): Promise<void> {
  const rows = await page.locator('#attempts .attempt[data-outcome="open"]').count()
  await page.click('[data-control="crash"]')
  await page.locator('#attempts .attempt[data-outcome="open"]').nth(rows).waitFor({ timeout: 20_000 })
  await waitForStatus(page, 'open')
}

describeEach('the demo page as things happen', (browser) => {
  const demo = useDemo('demo-page', browser)

  it('connects again from Closed with "Reconnect now"', async () => {
    const page = await openChat(demo(), 'Ada')
    await page.click('#toggle') // Close
    await waitForStatus(page, 'closed')
    await expect(page.locator('#toggle').textContent()).resolves.toBe('Connect')
    await expect(page.locator('#reconnect').isEnabled()).resolves.toBe(true)
    await expect(page.locator('#status-detail').textContent()).resolves.toContain('Press Reconnect now')

    await page.click('#reconnect')
    await waitForStatus(page, 'open')
    await page.locator('#attempts .attempt[data-outcome="open"] .attempt-cause', { hasText: 'Reconnect now' }).waitFor()
    const log = await page.locator('#log .log-text').allTextContents()
    expect(log.slice(0, 3)).toEqual(expect.arrayContaining(['reconnect()', 'link up, queue flushed']))
  })

  it('connects again from Closed after a 4401 with "Reconnect now", once the rejection is over', async () => {
    const page = await openChat(demo(), 'Ada')
    await shortenFault(page, 'reject', 1)
    await page.click('[data-control="reject"]') // then reconnects into the rejection
    await waitForStatus(page, 'closed')
    await page.locator('#server-mode[data-mode="normal"]').waitFor({ timeout: 10_000 })
    await page.click('#reconnect')
    await waitForStatus(page, 'open')
  })

  it('numbers reconnect attempts in the order they happened, across outages', async () => {
    const page = await openChat(demo(), 'Ada')
    await crashAndRecover(page)
    // Lifeline counts attempts again from 1 once a link has stayed up for `stableAfter` (5 s).
    await page.waitForFunction(
      () =>
        (window as unknown as { socket: { getSnapshot(): { attempt: number } } }).socket.getSnapshot().attempt === 0,
      null,
      { timeout: 15_000 },
    )
    await crashAndRecover(page)

    const rows = await attemptRows(page)
    // Newest first, numbered from the bottom: the list reads #2 above #1, never #1 above #4.
    expect(rows.map((row) => row.n)).toEqual([2, 1])
    expect(rows.map((row) => row.shown)).toEqual(['#2', '#1'])
    // Both were Lifeline's first retry of their outage, and say so.
    expect(rows.map((row) => row.attempt)).toEqual([1, 1])
    for (const row of rows) expect(row.foot).toMatch(/^retry 1 · waits \d+\.\d\d s/)
  })

  it('logs a server crash before the close it causes, with the sockets it affected', async () => {
    const page = await openChat(demo(), 'Ada')
    await crashAndRecover(page)
    const lines = await page
      .locator('#log li')
      .evaluateAll((items) =>
        items.map(
          (item) => `${item.querySelector('.log-kind')?.textContent} ${item.querySelector('.log-text')?.textContent}`,
        ),
      )
    // Newest first: the crash is below (older than) the close, the retry and the open it caused.
    const crash = lines.indexOf('server crash · 1 socket affected')
    const close = lines.findIndex((line) => line.startsWith('close 1006'))
    expect(close, lines.join('\n')).toBeGreaterThanOrEqual(0)
    expect(crash, lines.join('\n')).toBeGreaterThan(close)
    expect(lines.indexOf('open link up, queue flushed')).toBeLessThan(close)
  })

  it('names every fault window on the timeline, a 1 s stop included', async () => {
    const page = await openChat(demo(), 'Ada')
    await shortenFault(page, 'stop', 1)
    await page.click('[data-control="stop"]')
    await page.locator('#timeline rect.tl-stopped').waitFor({ state: 'attached' })
    await waitForStatus(page, 'open', 20_000)
    // A second is a few pixels wide: too narrow to hold its name, which goes beside it.
    const label = page.locator('#timeline text.tl-band-label', { hasText: 'stopped' })
    await label.waitFor({ state: 'attached' })
    // The chart is redrawn every 100 ms: measure band, label and chart in one go.
    const { band, text, chart } = await page.evaluate(() => {
      const box = (element: Element | null | undefined) => element?.getBoundingClientRect().toJSON() as DOMRect
      const svg = document.getElementById('timeline')
      const label = [...(svg?.querySelectorAll('text.tl-band-label') ?? [])].find((t) => t.textContent === 'stopped')
      return { band: box(svg?.querySelector('rect.tl-stopped')), text: box(label), chart: box(svg) }
    })
    // Beside its band, on the server lane, inside the chart.
    expect(Math.abs(text.y + text.height / 2 - (band.y + band.height / 2))).toBeLessThan(band.height)
    expect(text.x >= band.x + band.width || text.x + text.width <= band.x).toBe(true)
    expect(text.x).toBeGreaterThanOrEqual(chart.x)
    expect(text.x + text.width).toBeLessThanOrEqual(chart.x + chart.width)
  })
})
