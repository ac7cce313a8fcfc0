// The demo page's Requests card in real browsers: each button makes `socket.request('getTime')` end
// one way (answered, error reply, timed out, aborted, resent after a crash and answered once), and
// the list shows each request's outcome, id and timing, as the server counted them.
import { mkdirSync } from 'node:fs'
import { expect, it } from 'vitest'
import type { Page } from './browsers.js'
import { type Demo, describeEach, openChat, picture, RESULTS, useDemo, waitForStatus } from './demo.js'

interface Row {
  outcome: string
  label: string
  id: string
  call: string
  timing: string
  /** How long it took to settle, from the call, in ms. */
  ms: number
  steps: string
  count?: string
}

/** The Requests card's rows, newest first. */
function rows(page: Page): Promise<Row[]> {
  return page.locator('#requests .request').evaluateAll((items) =>
    items.map((item) => {
      const text = (selector: string) => item.querySelector(selector)?.textContent ?? ''
      const { outcome = '', id = '', count, ms = 'NaN' } = (item as HTMLElement).dataset
      return {
        outcome,
        label: text('.request-outcome'),
        id,
        call: text('.request-call'),
        timing: text('.request-timing'),
        ms: Number(ms),
        steps: text('.request-steps'),
        ...(count !== undefined && { count }),
      }
    }),
  )
}

/** Presses the Requests card's `kind` button and waits until the request it made has settled; returns its row. */
async function ask(page: Page, kind: string): Promise<Row> {
  const previous = await page.evaluate(
    () => document.querySelector<HTMLElement>('#requests .request')?.dataset.id ?? null,
  )
  await page.click(`#request-actions [data-ask="${kind}"]`)
  await page.waitForFunction(
    (previous) => {
      const row = document.querySelector<HTMLElement>('#requests .request')
      return !!row && row.dataset.id !== previous && row.dataset.outcome !== 'pending'
    },
    previous,
    { timeout: 20_000 },
  )
  const [row] = await rows(page)
  return row as Row
}

async function serverRequests(demo: Demo): Promise<{ handled: number; duplicates: number }> {
  const status = await (await fetch(new URL('/control/status', demo.server.url))).json()
  return status.requests
}

describeEach('the demo page making requests', (browser) => {
  /** The picture of the demo after a crash, the Requests card showing every outcome; refreshed on every run. */
  const SCREENSHOT = picture('demo-requests', browser)
  const demo = useDemo('requests', browser)

  it('shows each way a request ends, with its id and timing, and a resend after a crash answered once', async () => {
    const page = await openChat(demo(), 'Ada')
    await expect(page.locator('#requests-empty').textContent()).resolves.toContain('None yet')

    const answered = await ask(page, 'answer')
    expect(answered).toMatchObject({ outcome: 'answered', label: 'answered', call: 'getTime', count: '1' })
    expect(answered.steps).toMatch(/^written → answered · server time \d\d:\d\d:\d\d\.\d{3} · handler run #1$/)
    expect(answered.timing).toMatch(/^\d+ ms$/)

    const failed = await ask(page, 'fail')
    expect(failed).toMatchObject({ outcome: 'failed', label: 'error reply' })
    expect(failed.steps).toBe('written → DEMO_FAILURE: no time for you today')

    const timedOut = await ask(page, 'timeout')
    expect(timedOut).toMatchObject({
      outcome: 'timeout',
      label: 'timed out',
      call: 'getTime {delay: 3000} · timeout 1.00 s',
    })
    expect(timedOut.steps).toBe('written → no reply in 1000 ms')
    // The clock starts at the call: it ran out at the timeout, not at the server's 3 s.
    expect(timedOut.ms).toBeGreaterThanOrEqual(990)
    expect(timedOut.ms).toBeLessThan(2500)

    const aborted = await ask(page, 'abort')
    expect(aborted).toMatchObject({ outcome: 'aborted', label: 'aborted' })
    expect(aborted.steps).toBe('written → request aborted: abort() after 1.00 s')

    // Four requests, four handler runs; the slow ones still run on the server after their callers gave up.
    expect(await serverRequests(demo())).toEqual({ handled: 4, duplicates: 0 })
    await expect(page.locator('#requests-pending').textContent()).resolves.toBe('0')

    // The server holds this one's reply for 1.5 s and crashes meanwhile: the page resends it, same id,
    // on the next link, and the server answers the copy with the first run's reply.
    const resent = await ask(page, 'crash')
    expect(resent).toMatchObject({ outcome: 'resent', label: 'resent, answered', count: '5' })
    expect(resent.steps).toMatch(
      /^written → server working on it · crash → link lost → resent, same id → answered · server time .+ · handler run #5, once for 2 writes$/,
    )
    expect(await serverRequests(demo())).toEqual({ handled: 5, duplicates: 1 })
    await page.locator('#requests-handled', { hasText: '5' }).waitFor()
    await page.locator('#requests-duplicates', { hasText: '1' }).waitFor()
    await waitForStatus(page, 'open')

    // Every request has its own id, the page's random prefix and a counter.
    const all = await rows(page)
    expect(all.map((row) => row.outcome)).toEqual(['resent', 'aborted', 'timeout', 'failed', 'answered'])
    for (const row of all) expect(row.id).toMatch(/^[0-9a-z]+\.[0-9a-z]+$/)
    expect(new Set(all.map((row) => row.id)).size).toBe(5)
    // The crash is in the log once, before the close it caused.
    const log = await page.locator('#log li').allTextContents()
    const crash = log.findIndex((line) => /server\s*crash · 1 socket affected/.test(line))
    const close = log.findIndex((line) => /close\s*1006/.test(line))
    expect(crash).toBeGreaterThan(close)
    expect(close).toBeGreaterThanOrEqual(0)

    mkdirSync(RESULTS, { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    await page.locator('#requests-card').screenshot({ path: picture('demo-requests-card', browser) })
    console.log(`screenshot of the demo's requests: ${SCREENSHOT}`)
  })

  it('aborts a pending request from its row, and queues one asked while the link is down', async () => {
    const page = await openChat(demo(), 'Ada')
    await page.evaluate(() => fetch('/control/stop?seconds=2', { method: 'POST' }))
    await page.waitForFunction(() => document.getElementById('status-card')?.dataset.status !== 'open')
    await page.click('#request-actions [data-ask="answer"]')
    const row = page.locator('#requests .request').first()
    await expect(row.locator('.request-outcome').textContent()).resolves.toBe('queued')
    await expect(page.locator('#requests-pending').textContent()).resolves.toBe('1')
    // Once the server is back, the queue flushes and the request is answered.
    await page.locator('#requests .request[data-outcome="answered"]').waitFor({ timeout: 20_000 })
    await expect(row.locator('.request-steps').textContent()).resolves.toMatch(
      /^queued: the link is down → written → answered/,
    )

    await page.click('#request-actions [data-ask="timeout"]')
    await page.locator('#requests .request').first().locator('.request-abort').click()
    const [aborted] = await rows(page)
    expect(aborted).toMatchObject({ outcome: 'aborted' })
    expect(aborted?.steps).toBe('written → request aborted: abort() from the page')
    await expect(page.locator('#requests-pending').textContent()).resolves.toBe('0')
  })
})
