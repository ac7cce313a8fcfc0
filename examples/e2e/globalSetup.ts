// One Firefox for the whole browser run: each describe block connects to it and gets a user context
// (a fresh profile in all but the process) instead of starting Firefox again, which takes seconds.
// Firefox takes one WebDriver BiDi session at a time: this one disconnects at once, and each describe
// block's ends when it is done. Chromium is started per describe block by Playwright, in about a second.
import puppeteer from 'puppeteer-core'
import type { TestProject } from 'vitest/node'
import { CHOSEN, findBrowser } from './browsers.js'
import { startFirefox } from './firefox.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The WebDriver BiDi endpoint of the run's Firefox, when one was started. */
    firefoxEndpoint: string | undefined
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const path = CHOSEN.includes('firefox') ? findBrowser('firefox') : null
  if (!path) {
    project.provide('firefoxEndpoint', undefined)
    return async () => {}
  }
  const firefox = await startFirefox(path)
  const endpoint = firefox.wsEndpoint()
  const child = firefox.process()
  await firefox.disconnect()
  project.provide('firefoxEndpoint', endpoint)
  return async () => {
    // Closed through a session of its own, so that puppeteer removes the profile it made.
    const again = await puppeteer.connect({ browserWSEndpoint: endpoint, protocol: 'webDriverBiDi' }).catch(() => null)
    await again?.close().catch(() => {})
    if (child && child.exitCode === null) child.kill('SIGKILL')
  }
}
