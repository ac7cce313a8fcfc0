import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'
import { CHROMIUM_ARGS } from '../../scripts/chromium.mjs'

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
]

const INSTALL_HINT = [
  'Browser tests need Chromium, and none was found.',
  'Install it with:   apt-get update && apt-get install -y chromium',
  'or point CHROMIUM_PATH at a Chrome or Chromium binary.',
].join('\n')

/** The Chromium binary to drive, or `null` when none is installed. */
export function findChromium(): string | null {
  return CANDIDATES.find((path): path is string => !!path && existsSync(path)) ?? null
}

/**
 * Decides what a missing Chromium means: under CI it is a failure; on a developer's machine
 * the browser tests are skipped with a loud banner that says how to install it.
 */
export function requireChromium(): string | null {
  const path = findChromium()
  if (path) return path
  if (process.env.CI) throw new Error(INSTALL_HINT)
  const bar = '!'.repeat(72)
  console.warn(`\n${bar}\n${INSTALL_HINT}\nThe browser tests were NOT run.\n${bar}\n`)
  return null
}

/** A fresh headless Chromium profile; `close()` removes it. */
export async function launch(executablePath: string): Promise<BrowserContext & { dispose(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'lifeline-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [...CHROMIUM_ARGS],
  })
  return Object.assign(context, {
    async dispose() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  })
}
