// A headless Chromium started here rather than by Playwright, and driven over CDP: only then does
// `Page.setWebLifecycleState` freeze a page (Playwright's own launch turns on focus emulation for
// every page, and the freeze then does nothing).
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page as PlaywrightPage } from 'playwright-core'
import { CHROMIUM_ARGS } from '../../../scripts/chromium.mjs'
import type { Page } from '../browsers.js'

export interface CdpChromium {
  /** A new tab of the browser's one profile (pages of one origin there share locks and channels). */
  newPage(): Promise<Page>
  /** Freezes the page as the browser freezes a background tab (`freeze` fires on its document), or thaws it. */
  lifecycle(page: Page, state: 'frozen' | 'active'): Promise<void>
  close(): Promise<void>
}

export async function launchForLifecycle(executablePath: string): Promise<CdpChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'lifeline-cdp-'))
  const child: ChildProcess = spawn(
    executablePath,
    [...CHROMIUM_ARGS, '--headless', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    // Its own process group, so that closing it stops every process it started.
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  )
  const url = await new Promise<string>((resolve, reject) => {
    let text = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      text += chunk
      const found = /DevTools listening on (ws:\/\/\S+)/.exec(text)
      if (found?.[1]) resolve(found[1])
    })
    child.once('exit', (code) => reject(new Error(`chromium exited with ${code}: ${text}`)))
  })
  const browser: Browser = await chromium.connectOverCDP(url, { noDefaults: true } as never)
  const context = browser.contexts()[0] as BrowserContext
  return {
    newPage: async () => (await context.newPage()) as unknown as Page,
    async lifecycle(page, state) {
      const cdp = await context.newCDPSession(page as unknown as PlaywrightPage)
      await cdp.send('Page.setWebLifecycleState', { state })
      await cdp.detach()
    },
    async close() {
      await browser.close().catch(() => {})
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        process.kill(-(child.pid as number), 'SIGTERM')
        await exited
      }
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 })
    },
  }
}
