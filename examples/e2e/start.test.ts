// `npm start` as a newcomer runs it: after the packages' build, examples/server/start.js builds the
// React and Vue demos and serves all three; a second start finds them up to date and leaves them be.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync, rmSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { describeEach, launch, type Page } from './browsers.js'

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const START = at('../server/start.js')
const APPS = ['react', 'vue'] as const

interface Started {
  child: ChildProcess
  url: string
  output: () => string
}

/** Runs start.js on a free port; resolves once it prints the URL, with everything it printed until then. */
function start(): Promise<Started> {
  // As npm runs it: vitest's NODE_ENV=test is not in a user's shell.
  const { NODE_ENV: _, ...env } = process.env
  const child = spawn(process.execPath, [START], {
    env: { ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`start.js printed no URL in 90 s:\n${output}`)), 90_000)
    const read = (chunk: Buffer) => {
      output += chunk
      const url = /Lifeline demo: (\S+)/.exec(output)?.[1]
      if (!url) return
      clearTimeout(timer)
      resolve({ child, url, output: () => output })
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`start.js exited with ${code} before printing a URL:\n${output}`))
    })
  })
}

/** Ctrl+C: resolves to the exit code. */
function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code))
    child.kill('SIGINT')
  })
}

const builtAt = (app: string) => statSync(at(`../${app}/dist/index.html`)).mtimeMs

// In Chromium only: the subject is start.js; what the apps do in each browser is frameworks.test.ts's.
describeEach(
  'npm start',
  (chromium) => {
    let browser: Awaited<ReturnType<typeof launch>>
    let running: Started | undefined
    let page: Page

    beforeAll(async () => {
      browser = await launch(chromium)
      page = await browser.newPage()
    })

    afterEach(async () => {
      if (running) await stop(running.child)
      running = undefined
    })

    afterAll(async () => {
      await browser?.dispose()
    })

    it('runs start.js right after building the packages', () => {
      const { scripts } = JSON.parse(readFileSync(at('../../package.json'), 'utf8'))
      expect(scripts.start).toBe('npm run build && node examples/server/start.js')
    })

    it('builds the React and Vue demos on a fresh checkout and serves all three at once', async () => {
      // As after a clone: no dist/ for either app, no record of a build.
      for (const app of APPS) rmSync(at(`../${app}/dist`), { recursive: true, force: true })
      rmSync(at('../../node_modules/.cache/lifeline-demos'), { recursive: true, force: true })

      running = await start()
      expect(running.output()).toContain('Built the React and Vue demos')
      const status = await (await fetch(new URL('/control/status', running.url))).json()
      expect(status.demos).toEqual({ react: true, vue: true })

      // The plain page links both, and each goes live.
      await page.goto(running.url)
      await page.locator('#demo-react:not([hidden])').waitFor()
      await page.locator('#demo-vue:not([hidden])').waitFor()
      for (const app of APPS) {
        await page.goto(new URL(`/${app}/`, running.url).href)
        await page.locator('.status-card[data-status="open"]').waitFor({ timeout: 15_000 })
        await expect(page.locator('.brand-tag').textContent()).resolves.toMatch(app === 'react' ? /React/ : /Vue/)
      }
      expect(await stop(running.child)).toBe(0)
      running = undefined
    }, 180_000)

    it('leaves the demos alone when nothing changed since their build', async () => {
      await stop((await start()).child) // builds them if this test runs alone
      const before = APPS.map(builtAt)
      running = await start()
      expect(running.output()).toContain('The React and Vue demos are up to date.')
      expect(APPS.map(builtAt)).toEqual(before)
      const response = await fetch(new URL('/react/', running.url))
      expect(response.status).toBe(200)
      expect(await response.text()).toContain('/react/assets/')
    }, 120_000)
  },
  { engines: ['chromium'] },
)
