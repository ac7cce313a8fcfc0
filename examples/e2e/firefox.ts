// The browser tests' page API (browsers.ts) over puppeteer-core, for Firefox driven through WebDriver
// BiDi: the few Playwright calls the tests make, with Playwright's meaning. A locator is a chain of
// steps resolved in the page on every use, so it waits for what it names, as Playwright's does.
import puppeteer, {
  type ElementHandle,
  type JSHandle,
  type Browser as PuppeteerBrowser,
  type Page as PuppeteerPage,
} from 'puppeteer-core'
import { inject } from 'vitest'
import type { BrowserPage, ConsoleMessage, Context, LaunchOptions, Locator, WaitForOptions } from './browsers.js'

/** One step of a locator: a CSS selector searched inside the previous step's matches, a text filter, or an index. */
type Step = { selector: string } | { hasText: string } | { index: number }

/** How often a wait checks the page, in ms: an interval, so it also runs in a page with no frames to draw. */
const POLLING = 20
/** Playwright's default for a wait or an action. */
const TIMEOUT = 30_000

/**
 * Runs in the page: the elements `steps` designate. `hasText` matches as Playwright's does, a
 * case-insensitive substring of the text with whitespace collapsed.
 */
function resolveSteps(steps: Step[]): Element[] {
  const norm = (text: string | null) => (text ?? '').replace(/\s+/g, ' ').trim().toLowerCase()
  let found: Element[] = [document.documentElement]
  let first = true
  for (const step of steps) {
    if ('selector' in step) {
      const roots: ParentNode[] = first ? [document] : found
      found = [...new Set(roots.flatMap((root) => [...root.querySelectorAll(step.selector)]))]
      first = false
    } else if ('hasText' in step) {
      found = found.filter((element) => norm(element.textContent).includes(norm(step.hasText)))
    } else {
      const element = found.at(step.index)
      found = element ? [element] : []
    }
  }
  return found
}

/** Runs in the page: whether Playwright would call `element` visible (a non-empty box, not `visibility: hidden`). */
function isVisible(element: Element): boolean {
  const box = element.getBoundingClientRect()
  return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden'
}

const elements = (steps: Step[]) => `(${resolveSteps})(${JSON.stringify(steps)})`
/** An expression over `found` (the locator's elements): whether Playwright would call the locator hidden. */
const HIDDEN = `found.length === 0 || !(${isVisible})(found[0])`

class FirefoxLocator implements Locator {
  constructor(
    readonly page: PuppeteerPage,
    readonly steps: Step[],
  ) {}

  locator(selector: string, options: { hasText?: string } = {}): Locator {
    const steps: Step[] = [...this.steps, { selector }]
    if (options.hasText !== undefined) steps.push({ hasText: options.hasText })
    return new FirefoxLocator(this.page, steps)
  }

  first(): Locator {
    return this.nth(0)
  }

  last(): Locator {
    return this.nth(-1)
  }

  nth(index: number): Locator {
    return new FirefoxLocator(this.page, [...this.steps, { index }])
  }

  async waitFor({ state = 'visible', timeout = TIMEOUT }: WaitForOptions = {}): Promise<void> {
    const check = {
      attached: 'found.length > 0',
      detached: 'found.length === 0',
      visible: `!(${HIDDEN})`,
      hidden: HIDDEN,
    }[state]
    await this.page.waitForFunction(`(() => { const found = ${elements(this.steps)}; return ${check} })()`, {
      timeout,
      polling: POLLING,
    })
  }

  /** The first element, once there is one. */
  async #element(timeout = TIMEOUT): Promise<ElementHandle<Element>> {
    const handle = await this.page.waitForFunction(`${elements(this.steps)}[0]`, { timeout, polling: POLLING })
    const element = handle.asElement()
    if (!element) throw new Error(`no element for ${JSON.stringify(this.steps)}`)
    return element as ElementHandle<Element>
  }

  async #all(): Promise<JSHandle<Element[]>> {
    return this.page.evaluateHandle(elements(this.steps)) as Promise<JSHandle<Element[]>>
  }

  async evaluate<R, A>(fn: (element: Element, arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    const element = await this.#element()
    return (await element.evaluate(fn as never, arg as never)) as R
  }

  async evaluateAll<R, A>(fn: (elements: Element[], arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    const all = await this.#all()
    try {
      return (await all.evaluate(fn as never, arg as never)) as R
    } finally {
      await all.dispose()
    }
  }

  textContent(): Promise<string | null> {
    return this.evaluate((element) => element.textContent)
  }

  getAttribute(name: string): Promise<string | null> {
    return this.evaluate((element, name) => element.getAttribute(name), name)
  }

  allTextContents(): Promise<string[]> {
    return this.evaluateAll((elements) => elements.map((element) => element.textContent ?? ''))
  }

  count(): Promise<number> {
    return this.evaluateAll((elements) => elements.length)
  }

  isHidden(): Promise<boolean> {
    return this.page.evaluate(
      `(() => { const found = ${elements(this.steps)}; return ${HIDDEN} })()`,
    ) as Promise<boolean>
  }

  isEnabled(): Promise<boolean> {
    return this.evaluate((element) => !(element as HTMLButtonElement).disabled)
  }

  async click(): Promise<void> {
    await (await this.#element()).click()
  }

  /** Sets the value as typing would and fires `input`; through the native setter, so React sees it. */
  async fill(value: string): Promise<void> {
    await this.evaluate((element, value) => {
      const input = element as HTMLInputElement
      input.focus()
      const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(input), 'value')?.set
      if (setter) setter.call(input, value)
      else input.value = value
      input.dispatchEvent(new Event('input', { bubbles: true }))
    }, value)
  }

  async press(key: string): Promise<void> {
    await (await this.#element()).press(key as never)
  }

  async dispatchEvent(type: string): Promise<void> {
    await this.evaluate(
      (element, type) => element.dispatchEvent(new Event(type, { bubbles: true, cancelable: true, composed: true })),
      type,
    )
  }

  async scrollIntoViewIfNeeded(): Promise<void> {
    await (await this.#element()).scrollIntoView()
  }

  async screenshot(options: { path: string }): Promise<void> {
    await (await this.#element()).screenshot({ path: options.path as `${string}.png` })
  }
}

class FirefoxPage implements BrowserPage {
  constructor(
    readonly page: PuppeteerPage,
    /** Whether a message is the browser's own report, not an error of the page (browsers.ts). */
    readonly isBrowserReport: (text: string) => boolean,
  ) {}

  locator(selector: string, options: { hasText?: string } = {}): Locator {
    return new FirefoxLocator(this.page, []).locator(selector, options)
  }

  on(event: 'pageerror', listener: (error: Error) => void): void
  on(event: 'console', listener: (message: ConsoleMessage) => void): void
  on(event: 'pageerror' | 'console', listener: (value: never) => void): void {
    if (event === 'console') {
      this.page.on('console', listener as (message: ConsoleMessage) => void)
      this.page.on('pageerror', (error) => {
        if (this.isBrowserReport((error as Error).message)) {
          const text = (error as Error).message
          ;(listener as (message: ConsoleMessage) => void)({ type: () => 'error', text: () => text })
        }
      })
    } else {
      // BiDi hands Firefox's own reports over as JavaScript errors; Chromium logs them to the console.
      this.page.on('pageerror', (error) => {
        if (!this.isBrowserReport((error as Error).message)) (listener as (error: Error) => void)(error as Error)
      })
    }
  }

  url(): string {
    return this.page.url()
  }

  isClosed(): boolean {
    return this.page.isClosed()
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url)
  }

  async reload(): Promise<void> {
    await this.page.reload()
  }

  async close(): Promise<void> {
    if (!this.page.isClosed()) await this.page.close()
  }

  async bringToFront(): Promise<void> {
    await this.page.bringToFront()
  }

  evaluate<R, A>(fn: ((arg: A) => R | Promise<R>) | string, arg?: A): Promise<R> {
    return this.page.evaluate(fn as never, arg as never) as Promise<R>
  }

  waitForFunction<R, A>(
    fn: ((arg: A) => R | Promise<R>) | string,
    arg?: A,
    { timeout = TIMEOUT }: { timeout?: number } = {},
  ): Promise<{ jsonValue(): Promise<unknown> }> {
    return this.page.waitForFunction(fn as never, { timeout, polling: POLLING }, arg as never)
  }

  click(selector: string): Promise<void> {
    return this.locator(selector).click()
  }

  fill(selector: string, value: string): Promise<void> {
    return (this.locator(selector) as FirefoxLocator).fill(value)
  }

  press(selector: string, key: string): Promise<void> {
    return (this.locator(selector) as FirefoxLocator).press(key)
  }

  async screenshot(options: { path: string; fullPage?: boolean }): Promise<void> {
    await this.page.screenshot({ path: options.path as `${string}.png`, fullPage: options.fullPage })
  }
}

/** Starts Firefox with a fresh profile (puppeteer removes it on close), with `prefs` besides puppeteer's own. */
export function startFirefox(executablePath: string, prefs: Record<string, unknown> = {}): Promise<PuppeteerBrowser> {
  return puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    protocol: 'webDriverBiDi',
    defaultViewport: { width: 1280, height: 860 },
    extraPrefsFirefox: prefs,
  })
}

/**
 * The prefs that send every request of a Firefox through the HTTP proxy `proxy` (`http://host:port`),
 * loopback included: without `allow_hijacking_localhost`, Firefox never proxies 127.0.0.1 or localhost.
 */
function proxyPrefs(proxy: string): Record<string, unknown> {
  const { hostname, port } = new URL(proxy)
  return {
    'network.proxy.type': 1,
    'network.proxy.http': hostname,
    'network.proxy.http_port': Number(port),
    'network.proxy.ssl': hostname,
    'network.proxy.ssl_port': Number(port),
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
  }
}

/**
 * A fresh profile of Firefox: a user context (its own storage, locks and channels) of the Firefox
 * that globalSetup.ts started for the whole run, or of one started here when there is none (a
 * launch takes seconds, a user context milliseconds). Each page is a window of its own. With a
 * `proxy`, always a Firefox of its own: proxy prefs hold for a whole Firefox, not one user context.
 */
export async function launchFirefox(
  executablePath: string,
  isBrowserReport: (text: string) => boolean,
  { proxy }: LaunchOptions = {},
): Promise<Context & { dispose(): Promise<void> }> {
  const endpoint = proxy ? undefined : inject('firefoxEndpoint')
  const browser = endpoint
    ? await puppeteer.connect({ browserWSEndpoint: endpoint, protocol: 'webDriverBiDi' })
    : await startFirefox(executablePath, proxy ? proxyPrefs(proxy) : {})
  const profile = await browser.createBrowserContext()
  const pages = new Set<FirefoxPage>()
  let offline = false
  return {
    engine: 'firefox',
    async newPage() {
      // A window, not a tab: a background tab is hidden and its timers throttled, where every page
      // Playwright opens in Chromium is visible. The tests that want a hidden page say so.
      const page = new FirefoxPage(await profile.newPage({ type: 'window' }), isBrowserReport)
      pages.add(page)
      page.page.once('close', () => pages.delete(page))
      if (offline) await page.page.setOfflineMode(true)
      return page
    },
    async setOffline(value) {
      // Offline emulation is per page in BiDi; Playwright's is per context.
      offline = value
      await Promise.all([...pages].filter((page) => !page.isClosed()).map((page) => page.page.setOfflineMode(value)))
    },
    async dispose() {
      await profile.close().catch(() => {})
      if (endpoint) await browser.disconnect()
      else await browser.close()
    },
  }
}
