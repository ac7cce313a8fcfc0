// The browsers the e2e tests run in, and everything that differs between them. Chromium is driven by
// playwright-core; Firefox, which playwright-core cannot drive unless it is its own patched build, by
// puppeteer-core over WebDriver BiDi (firefox.ts). Tests see one small page API, the Playwright
// calls they make, and run once per installed browser (`describeEach`).
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireTool } from '@lifeline/test-support/tools'
import { chromium, type Page as PlaywrightPage } from 'playwright-core'
import { describe } from 'vitest'
import { CHROMIUM_ARGS } from '../../scripts/chromium.mjs'
import { launchFirefox } from './firefox.js'

export type Engine = 'chromium' | 'firefox'

interface EngineInfo {
  label: string
  candidates: (string | undefined)[]
  install: string
}

const ENGINES: Record<Engine, EngineInfo> = {
  chromium: {
    label: 'Chromium',
    candidates: [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'],
    install: [
      'Install it with:   apt-get update && apt-get install -y chromium',
      'or point CHROMIUM_PATH at a Chrome or Chromium binary.',
    ].join('\n'),
  },
  firefox: {
    label: 'Firefox',
    candidates: [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'],
    install: [
      'Install it with:   apt-get update && apt-get install -y firefox-esr',
      'or point FIREFOX_PATH at a Firefox binary (a release or ESR build; it is driven over WebDriver BiDi).',
    ].join('\n'),
  },
}

/** An engine the tests run in, and its binary (`null`: not installed, its tests skipped with a banner). */
export interface Browser {
  engine: Engine
  /** `Chromium` or `Firefox`, as test titles name it. */
  label: string
  path: string | null
}

/** The binary of `engine`, or `null` when none is installed. */
export function findBrowser(engine: Engine): string | null {
  return ENGINES[engine].candidates.find((path): path is string => !!path && existsSync(path)) ?? null
}

/**
 * Decides what a missing browser means: under CI it is a failure; on a developer's machine its
 * tests are skipped with a loud banner that says how to install it.
 */
export function requireBrowser(engine: Engine): Browser {
  const { label, install } = ENGINES[engine]
  const path = requireTool(
    findBrowser(engine),
    `Browser tests need ${label}, and none was found.\n${install}`,
    `The ${label} browser tests`,
  )
  return { engine, label, path }
}

/** The engines to run: all of them, or those named in `LIFELINE_BROWSERS` (e.g. `firefox`). */
export const CHOSEN: readonly Engine[] = (process.env.LIFELINE_BROWSERS ?? 'chromium,firefox')
  .split(',')
  .map((name) => name.trim())
  .filter((name): name is Engine => name in ENGINES)

/** Every browser the tests run in. */
export const BROWSERS: readonly Browser[] = CHOSEN.map(requireBrowser)

/**
 * One describe block per browser, titled `<title> in <browser>`, skipped where that browser is
 * missing. `engines` narrows it, for a subject only one engine has (say why beside the call); the
 * other engines' blocks are skipped.
 */
export function describeEach(
  title: string,
  body: (browser: Browser) => void,
  { engines = Object.keys(ENGINES) as Engine[] }: { engines?: Engine[] } = {},
): void {
  // Every chosen browser gets its block, skipped where it does not apply: a file always has a suite.
  for (const browser of BROWSERS) {
    describe.skipIf(!browser.path || !engines.includes(browser.engine))(`${title} in ${browser.label}`, () =>
      body(browser),
    )
  }
}

// ---- what differs between the engines ---------------------------------------------------------

/**
 * A browser's own report, not an error thrown by the page's code: a WebSocket that failed or was cut,
 * or a script the page's policy blocked. Chromium logs these to the console (`WebSocket connection
 * to '…' failed`); Firefox reports "can't establish a connection", "the connection … was interrupted
 * while the page was loading" (a reload or close with a socket open) and `Content-Security-Policy: …`,
 * and puppeteer over BiDi hands them over as page errors.
 */
export function isBrowserReport(text: string): boolean {
  return (
    text.startsWith('WebSocket connection to') ||
    text.startsWith('Content-Security-Policy: ') ||
    /can.t establish a connection to the server at wss?:\/\//.test(text) ||
    /^The connection to wss?:\/\/\S+ was interrupted while the page was loading/.test(text)
  )
}

/** How an engine behaves where the tests meet a difference; each is seen here and written down in docs/browsers.md. */
export interface Quirks {
  /**
   * Whether offline emulation holds back the traffic of WebSockets already open. Chromium's does
   * (frames wait and go out on return, so Lifeline's probe goes unanswered and the link is cut);
   * Firefox's lets it through and only fails new connections, so the link stays open.
   */
  offlineHoldsOpenSockets: boolean
  /**
   * Whether the browser itself spaces out repeated failed WebSocket connects to one host. Firefox
   * does (after a long outage, its own wait can exceed Lifeline's backoff); Chromium does not.
   */
  delaysFailedConnects: boolean
}

export const QUIRKS: Record<Engine, Quirks> = {
  chromium: { offlineHoldsOpenSockets: true, delaysFailedConnects: false },
  firefox: { offlineHoldsOpenSockets: false, delaysFailedConnects: true },
}

// ---- the page API the tests use: Playwright's, as far as they use it ---------------------------

export interface WaitForOptions {
  /** @default 'visible' */
  state?: 'attached' | 'detached' | 'visible' | 'hidden'
  timeout?: number
}

export interface ConsoleMessage {
  type(): string
  text(): string
}

/** Playwright's locator, the part the tests use: resolved on every use, waiting for what it names. */
export interface Locator {
  locator(selector: string, options?: { hasText?: string }): Locator
  first(): Locator
  last(): Locator
  nth(index: number): Locator
  waitFor(options?: WaitForOptions): Promise<void>
  evaluate<R, A = undefined>(fn: (element: Element, arg: A) => R | Promise<R>, arg?: A): Promise<R>
  evaluateAll<R, A = undefined>(fn: (elements: Element[], arg: A) => R | Promise<R>, arg?: A): Promise<R>
  textContent(): Promise<string | null>
  getAttribute(name: string): Promise<string | null>
  allTextContents(): Promise<string[]>
  count(): Promise<number>
  isHidden(): Promise<boolean>
  isEnabled(): Promise<boolean>
  click(): Promise<void>
  dispatchEvent(type: string): Promise<void>
  scrollIntoViewIfNeeded(): Promise<void>
  screenshot(options: { path: string }): Promise<unknown>
}

/** Playwright's page, the part the tests use. */
export interface BrowserPage {
  locator(selector: string, options?: { hasText?: string }): Locator
  on(event: 'pageerror', listener: (error: Error) => void): unknown
  on(event: 'console', listener: (message: ConsoleMessage) => void): unknown
  url(): string
  isClosed(): boolean
  goto(url: string): Promise<unknown>
  reload(): Promise<unknown>
  close(): Promise<void>
  bringToFront(): Promise<void>
  evaluate<R, A = undefined>(fn: ((arg: A) => R | Promise<R>) | string, arg?: A): Promise<R>
  waitForFunction<R, A = undefined>(
    fn: ((arg: A) => R | Promise<R>) | string,
    arg?: A,
    options?: { timeout?: number },
  ): Promise<{ jsonValue(): Promise<unknown> }>
  click(selector: string): Promise<void>
  fill(selector: string, value: string): Promise<void>
  press(selector: string, key: string): Promise<void>
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>
}
export type Page = BrowserPage

/** One browser profile: its pages are tabs of one user (same-origin pages share storage, locks and channels). */
export interface Context {
  engine: Engine
  newPage(): Promise<Page>
  /** Takes every page of the profile offline (`navigator.onLine`, `offline`/`online`, no new connections) or back. */
  setOffline(offline: boolean): Promise<void>
  /**
   * Chromium only (CDP `Page.crash`; Firefox offers no way to crash one tab from outside): readies
   * a crash of `page`, and returns what crashes it at once (no unload, no close frame), which
   * resolves once the page reports the crash.
   */
  prepareCrash?(page: Page): Promise<() => Promise<void>>
}

/** How a describe block wants its browser. */
export interface LaunchOptions {
  /**
   * An HTTP proxy (`http://127.0.0.1:PORT`) for every request of the profile, loopback included
   * (both engines bypass a proxy for loopback unless told not to). Firefox then gets a Firefox of
   * its own: its proxy settings are prefs of the whole browser.
   */
  proxy?: string
}

/** A fresh profile of `browser`; `dispose()` closes it and removes the profile. */
export async function launch(
  browser: Browser,
  options: LaunchOptions = {},
): Promise<Context & { dispose(): Promise<void> }> {
  if (!browser.path) throw new Error(`${browser.label} is not installed`)
  if (browser.engine === 'firefox') return launchFirefox(browser.path, isBrowserReport, options)
  const profile = mkdtempSync(join(tmpdir(), 'lifeline-chromium-'))
  const proxy = options.proxy ? [`--proxy-server=${options.proxy}`, '--proxy-bypass-list=<-loopback>'] : []
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browser.path,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [...CHROMIUM_ARGS, ...proxy],
  })
  return {
    engine: 'chromium',
    newPage: async () => (await context.newPage()) as unknown as Page,
    setOffline: (offline) => context.setOffline(offline),
    async prepareCrash(page) {
      const target = page as unknown as PlaywrightPage
      const cdp = await context.newCDPSession(target)
      return () => {
        const crashed = new Promise<void>((resolve) => target.once('crash', () => resolve()))
        void cdp.send('Page.crash').catch(() => {})
        return crashed
      }
    },
    async dispose() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
