// The example apps as a user runs them: the React and Vue apps (examples/react, examples/vue), built
// with Vite as `npm start` builds them and served by the demo server at /react/ and /vue/, in real browsers; and the Node script
// (examples/node). Each app shows its socket open, round-trips a chat, and recovers from a crash and
// from a server that refuses handshakes for a while, delivering what was typed meanwhile; its room
// (useChannel) gets back what was published while its link was down.
import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { APPS, buildApps } from '../server/apps.js'
import { type DemoServer, startDemoServer } from '../server/server.js'
import { describeEach, isBrowserReport, launch, type Page } from './browsers.js'

type Status = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const RESULTS = at('../../test-results/e2e/')
const NODE_EXAMPLE = at('../node/index.mjs')

// ---- the pages -----------------------------------------------------------------------------

/** Waits until the status card shows `status`. */
async function waitForStatus(page: Page, status: Status, timeout = 15_000): Promise<void> {
  await page.locator(`.status-card[data-status="${status}"]`).waitFor({ timeout })
}

/**
 * Starts recording every status the card shows from now on, however briefly (a crash can be
 * followed by a retry within a millisecond). Returns a function that waits until the card is
 * back to `open` after leaving it, and resolves to the statuses shown on the way.
 */
async function recordStatuses(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const card = document.querySelector('.status-card') as HTMLElement
    const shown = [card.dataset.status ?? '']
    // Each record holds the value before its change; the last one's new value is the current one.
    const observer = new MutationObserver((records) => {
      const values = [...records.slice(1).map((record) => record.oldValue ?? ''), card.dataset.status ?? '']
      for (const value of values) if (value !== shown.at(-1)) shown.push(value)
    })
    observer.observe(card, { attributes: true, attributeFilter: ['data-status'], attributeOldValue: true })
    const win = window as unknown as { shownStatuses?: string[]; statusObserver?: MutationObserver }
    win.statusObserver?.disconnect()
    Object.assign(win, { shownStatuses: shown, statusObserver: observer })
  })
  return async () => {
    const handle = await page.waitForFunction(
      () => {
        const shown = (window as unknown as { shownStatuses: string[] }).shownStatuses
        return shown.length > 1 && shown.at(-1) === 'open' && shown
      },
      null,
      { timeout: 15_000 },
    )
    return (await handle.jsonValue()) as string[]
  }
}

/** Types `text` in the composer and sends it; returns the state the app gave the message at once. */
async function say(page: Page, text: string): Promise<string | null> {
  await page.fill('#text', text)
  await page.press('#text', 'Enter')
  return page.locator('.message.own', { hasText: text }).getAttribute('data-state')
}

/** Waits until the server's echo of our `text` is shown, once. */
async function waitForEcho(page: Page, text: string): Promise<void> {
  await page.locator('.message.own[data-state="delivered"]', { hasText: text }).waitFor({ timeout: 15_000 })
  expect(await page.locator('.message', { hasText: text }).count()).toBe(1)
}

describeEach('the React and Vue example apps', (browser) => {
  let context: Awaited<ReturnType<typeof launch>>
  let server: DemoServer
  let page: Page
  /** Uncaught errors, and console errors that are not the expected refused handshakes. */
  let problems: string[]

  beforeAll(async () => {
    await buildApps() // as `npm start` does: only what changed since the last build
    context = await launch(browser)
  }, 120_000)

  afterAll(async () => {
    await context?.dispose()
  })

  beforeEach(async () => {
    server = await startDemoServer({ port: 0 })
    problems = []
    page = await context.newPage()
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
    page.on('console', (message) => {
      // The browser reports every refused WebSocket handshake (the 503s of /control/stop) as an error.
      if (message.type() === 'error' && !isBrowserReport(message.text())) {
        problems.push(`console: ${message.text()}`)
      }
    })
  })

  afterEach(async (test) => {
    try {
      if (test.task.result?.state === 'fail') {
        mkdirSync(RESULTS, { recursive: true })
        const path = `${RESULTS}frameworks-${browser.engine}-${test.task.name.split(':')[0]}.png`
        await page.screenshot({ path, fullPage: true })
        console.log(`screenshot of the failed test: ${path}`)
      }
    } finally {
      await page.close()
      await server.close()
    }
  })

  for (const app of APPS) {
    it(`${app}: goes live, round-trips a chat, recovers from a crash and delivers what was typed while down`, async () => {
      await page.goto(new URL(`/${app}/`, server.url).href)
      await waitForStatus(page, 'open')
      await expect(page.locator('#status').textContent()).resolves.toBe('Open')
      // One WebSocket per page, named by the app's hello.
      const live = await (await fetch(new URL('/control/status', server.url))).json()
      expect(live.clients).toBe(1)

      expect(await say(page, `hello from ${app}`)).toMatch(/^(sending|delivered)$/)
      await waitForEcho(page, `hello from ${app}`)

      // A crash: every socket destroyed, 1006. The app shows it, retries and is live again.
      const recovered = await recordStatuses(page)
      await page.click('[data-control="crash"]')
      expect(await recovered()).toEqual(['open', 'reconnecting', 'connecting', 'open'])
      await page.locator('.log-close', { hasText: '1006' }).waitFor()
      // Newest first: the crash was logged when it was asked for, before the close it caused.
      const lines = await page.locator('.log li').allTextContents()
      const asked = lines.findIndex((line) => line.includes('crash · asked'))
      expect(asked, lines.join('\n')).toBeGreaterThan(lines.findIndex((line) => line.includes('1006')))
      await say(page, `${app} after the crash`)
      await waitForEcho(page, `${app} after the crash`)

      // Handshakes refused for a second: what is typed meanwhile is queued, then delivered once.
      const back = await recordStatuses(page)
      await page.evaluate(() => fetch('/control/stop?seconds=1', { method: 'POST' }))
      await page.waitForFunction(() => document.querySelector('.status-card')?.getAttribute('data-status') !== 'open')
      expect(await say(page, `${app} while down`)).toBe('queued')
      await page.locator('.metric', { hasText: 'Queued' }).locator('dd', { hasText: '1' }).waitFor()
      expect(await back()).toContain('reconnecting')
      await waitForEcho(page, `${app} while down`)
      await expect(page.locator('.metric', { hasText: 'Queued' }).locator('dd').textContent()).resolves.toBe('0')

      // Closed by the user, "Reconnect now" connects again.
      await page.locator('.status-card button', { hasText: 'Close' }).click()
      await waitForStatus(page, 'closed')
      await page.locator('.status-card button', { hasText: 'Reconnect now' }).click()
      await waitForStatus(page, 'open')

      expect(problems).toEqual([])
    })

    it(`${app}: useChannel shows the room's lines, and those published while the link was down`, async () => {
      await page.goto(new URL(`/${app}/`, server.url).href)
      await page.locator('.room-state[data-status="joined"]').waitFor({ timeout: 15_000 })
      await page.locator('.rooms-card button', { hasText: 'Server publishes 3' }).click()
      await page.locator('.room-line', { hasText: 'line 3 of 3' }).waitFor()
      await page.fill('.room-composer input', `hi from ${app}`)
      await page.press('.room-composer input', 'Enter')
      await page.locator('.room-line', { hasText: `hi from ${app}` }).waitFor()

      // The link cut (handshakes refused for a second) while the server publishes two lines.
      await page.evaluate(async () => {
        await fetch('/control/stop?seconds=1', { method: 'POST' })
        await fetch('/control/publish?room=lobby&count=2', { method: 'POST' })
      })
      await page.locator('.room-state', { hasText: 'joined · recovered' }).waitFor({ timeout: 15_000 })
      await page.locator('.room-line', { hasText: 'line 2 of 2' }).waitFor()
      expect(await page.locator('.room-line .room-text').allTextContents()).toEqual([
        'line 1 of 3',
        'line 2 of 3',
        'line 3 of 3',
        `hi from ${app}`,
        'line 1 of 2',
        'line 2 of 2',
      ])
      expect(problems).toEqual([])
    })
  }
})

describe('the Node example', () => {
  it('connects with ws, logs its status, prints the echo of its chat and exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [NODE_EXAMPLE], { timeout: 20_000 })
    expect(stdout).toMatch(/send chat: queued/)
    expect(stdout).toMatch(/status open/)
    expect(stdout).toMatch(/echo from node: "Hello from Node"/)
    expect(stdout).toMatch(/done\n$/)
  })
})
