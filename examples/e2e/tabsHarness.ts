// What the tabs and persistence browser tests share: one browser profile per describe block (its
// pages share BroadcastChannel, Web Locks and localStorage, as tabs do), a fresh server and origin
// per test, and reads of each page's socket.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { type Browser, type Context, launch, type Page } from './browsers.js'
import { startTabsServer, type TabsServer } from './tabs/server.js'

export { type Browser, describeEach, type Page } from './browsers.js'

export interface Snapshot {
  status: string
  leader: boolean
  tabs: number
  queued: number
  pending: number
}

export interface Harness {
  server: TabsServer
  context: Context
  /** Opens a tab on the harness page (`query` e.g. `store=outbox`); errors thrown there fail the test. */
  open(query?: string): Promise<Page>
}

export function useHarness(browser: Browser): () => Harness {
  let context: Awaited<ReturnType<typeof launch>> | undefined
  let current: (Harness & { pages: Page[]; errors: string[] }) | undefined
  beforeAll(async () => {
    context = await launch(browser)
  })
  afterAll(async () => {
    await context?.dispose()
  })
  beforeEach(async () => {
    const server = await startTabsServer()
    const pages: Page[] = []
    const errors: string[] = []
    const ctx = context as Context
    current = {
      server,
      context: ctx,
      pages,
      errors,
      async open(query) {
        const page = await ctx.newPage()
        pages.push(page)
        page.on('pageerror', (error) => errors.push(error.message))
        await page.goto(server.page(query))
        return page
      },
    }
  })
  afterEach(async () => {
    const harness = current
    current = undefined
    if (!harness) return
    await Promise.all(harness.pages.map((page) => page.close()))
    await harness.server.close()
    expect(harness.errors, 'errors thrown on the pages').toEqual([])
  })
  return () => {
    if (!current) throw new Error('useHarness() is only available inside a test')
    return current
  }
}

/** The page's shared snapshot. */
export const snapshot = (page: Page): Promise<Snapshot> =>
  page.evaluate(() => (window as unknown as { socket: { getSnapshot(): Snapshot } }).socket.getSnapshot())

/** Waits until the page's socket reports `status`. */
export const waitForStatus = (page: Page, status: string, timeout = 10_000) =>
  page.waitForFunction(
    (status) => (window as unknown as { socket: { getSnapshot(): Snapshot } }).socket.getSnapshot().status === status,
    status,
    { timeout },
  )

/** Sends `socket.send(type, data)` for each of `data` in the page, at once. */
export const send = (page: Page, type: string, data: unknown[]) =>
  page.evaluate(
    ([type, data]) => {
      const socket = (window as unknown as { socket: { send(type: string, data: unknown): string } }).socket
      return (data as unknown[]).map((d) => socket.send(type as string, d))
    },
    [type, data] as const,
  )

/** Polls `check` (a condition on the server's state) until it holds; never a fixed sleep. */
export async function until(check: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
