// What the browser tests share: one browser per describe block and a fresh demo server per test, the
// demo page's controls, waits on its state (never sleeps), and a screenshot of any test that fails.
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach, expect, type TestContext } from 'vitest'
import { type DemoServer, startDemoServer } from '../server/server.js'
import { type Browser, type Context, launch, type Page } from './browsers.js'

export { type Browser, describeEach, type Page } from './browsers.js'

/** The git-ignored folder screenshots go to. */
export const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url))

/** Where the picture `name` (e.g. `demo-rooms-card`) goes: Chromium's under that name, another engine's suffixed. */
export function picture(name: string, browser: Browser): string {
  return `${RESULTS}${name}${browser.engine === 'chromium' ? '' : `-${browser.engine}`}.png`
}

type Status = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

/** The live state of one test: its server, its browser context and the pages it opened. */
export interface Demo {
  server: DemoServer
  context: Context
  /** Opens the demo page (or `path`) in a new tab; errors thrown on the page fail the test. */
  open(path?: string): Promise<Page>
}

/**
 * Sets up a describe block: one `browser` for it, a fresh server and fresh tabs per test, a
 * screenshot of a failed test's first tab in `test-results/e2e/<file>-<engine>-<test>.png`,
 * everything closed afterwards. Returns a getter, valid inside tests.
 */
export function useDemo(file: string, browser: Browser): () => Demo {
  let context: Awaited<ReturnType<typeof launch>> | undefined
  let current: (Demo & { pages: Page[]; errors: string[] }) | undefined

  beforeAll(async () => {
    context = await launch(browser)
  })

  afterAll(async () => {
    await context?.dispose()
  })

  beforeEach(async () => {
    const server = await startDemoServer({ port: 0 })
    const ctx = context as Context
    const pages: Page[] = []
    const errors: string[] = []
    current = {
      server,
      context: ctx,
      pages,
      errors,
      async open(path = '') {
        const page = await ctx.newPage()
        pages.push(page)
        page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`))
        await page.goto(new URL(path, server.url).href)
        return page
      },
    }
  })

  afterEach(async (test: TestContext) => {
    const demo = current
    current = undefined
    if (!demo) return
    try {
      // A failed test leaves a picture of its first tab as it was at the end.
      const [first] = demo.pages
      if (test.task.result?.state === 'fail' && first && !first.isClosed()) {
        const path = `${RESULTS}e2e/${file}-${browser.engine}-${slug(test.task.name)}.png`
        mkdirSync(`${RESULTS}e2e`, { recursive: true })
        await first.screenshot({ path, fullPage: true })
        console.log(`screenshot of the failed test: ${path}`)
      }
    } finally {
      await demo.context.setOffline(false)
      await Promise.all(demo.pages.map((page) => page.close()))
      await demo.server.close()
    }
    expect(demo.errors, 'errors thrown on the page').toEqual([])
  })

  return () => {
    if (!current) throw new Error('useDemo() is only available inside a test')
    return current
  }
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60)
}

// ---- the demo page ---------------------------------------------------------------------------

/** Opens the demo page under `name` and waits until its socket is open. */
export async function openChat(demo: Demo, name: string): Promise<Page> {
  const page = await demo.open()
  await page.fill('#name', name)
  await page.locator('#name').dispatchEvent('change')
  await waitForStatus(page, 'open')
  return page
}

/** Waits until the status card shows `status`. */
export async function waitForStatus(page: Page, status: Status, timeout = 20_000): Promise<void> {
  await page.locator(`#status-card[data-status="${status}"]`).waitFor({ timeout })
}

/** Waits until the socket is anything but open: the page has noticed the link is gone. */
export async function waitUntilDown(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForFunction(() => document.getElementById('status-card')?.dataset.status !== 'open', null, {
    timeout,
  })
}

/** Types `text` in the composer and sends it; returns the state the page gave it (`sending`, `queued`, …). */
export async function say(page: Page, text: string): Promise<string | null> {
  await page.fill('#text', text)
  await page.press('#text', 'Enter')
  return page.locator('.message.own').last().getAttribute('data-state')
}

/** Every chat message on the page, in display order, as `text [state]`. */
export function messages(page: Page): Promise<string[]> {
  return page
    .locator('.message')
    .evaluateAll((items) =>
      items.map((item) => `${item.querySelector('p')?.textContent} [${(item as HTMLElement).dataset.state ?? ''}]`),
    )
}

/**
 * Waits until each of `texts` is shown exactly once, in this order, and (with `own`) marked
 * delivered: the server echoed it. On timeout, the error lists what the page shows.
 */
export async function waitForMessages(page: Page, texts: string[], { own = false, timeout = 20_000 } = {}) {
  try {
    await page.waitForFunction(
      ({ texts, own }) => {
        const items = [...document.querySelectorAll<HTMLElement>('.message')]
        const shown = items.filter((item) => texts.includes(item.querySelector('p')?.textContent ?? ''))
        const inOrder = shown.map((item) => item.querySelector('p')?.textContent).join('\n') === texts.join('\n')
        return inOrder && (!own || shown.every((item) => item.dataset.state === 'delivered'))
      },
      { texts, own },
      { timeout },
    )
  } catch (error) {
    const shown = await messages(page).catch(() => [])
    throw new Error(
      `expected ${JSON.stringify(texts)} once each, in order${own ? ', delivered' : ''}; the page shows ${JSON.stringify(shown)}`,
      { cause: error },
    )
  }
}

/** Shortens a fault button's window (`data-seconds`) so a test does not wait the demo's 10 s. */
export async function shortenFault(page: Page, control: string, seconds: number): Promise<void> {
  await page.locator(`[data-control="${control}"]`).evaluate((button, s) => {
    ;(button as HTMLElement).dataset.seconds = String(s)
  }, seconds)
}
