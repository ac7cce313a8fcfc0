// Sleep and resume in real browsers: the demo page (examples/cdn, heartbeat 2 s / 2 s, the `lobby`
// channel joined) put to sleep in each way a browser allows, while the server publishes three lines
// to the room. Measured from the resume: the time to `open` again (none when the link survived),
// the reconnects, whether a chat message sent at the resume arrived once, and how many of the
// lines published meanwhile the room shows (recovered, or live when the link survived).
// Chromium and Firefox, both driven by puppeteer-core (CDP and WebDriver BiDi); no download.
import { existsSync } from 'node:fs'
import puppeteer from 'puppeteer-core'
import { startDemoServer } from '../../examples/server/server.js'
import { CHROMIUM_ARGS } from '../../scripts/chromium.mjs'
import { now, sleep } from '../lib/clock.mjs'
import { median } from '../lib/stats.mjs'

export const ENGINES = [
  {
    name: 'chromium',
    label: 'Chromium',
    paths: [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'],
    install: 'apt-get install -y chromium (or set CHROMIUM_PATH)',
    launch: (executablePath) =>
      puppeteer.launch({ browser: 'chrome', executablePath, headless: true, args: [...CHROMIUM_ARGS] }),
  },
  {
    name: 'firefox',
    label: 'Firefox',
    paths: [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'],
    install: 'apt-get install -y firefox-esr (or set FIREFOX_PATH)',
    launch: (executablePath) =>
      puppeteer.launch({ browser: 'firefox', executablePath, headless: true, protocol: 'webDriverBiDi' }),
  },
]

/** POSTs a control of the demo server (`crash`, `publish?room=lobby&count=3`, …). */
const control = (server, action) => fetch(new URL(`/control/${action}`, server.url), { method: 'POST' })

/** Stops or continues every process of the browser (its own process group: puppeteer starts it detached). */
const signal = (browser, name) => process.kill(-browser.process().pid, name)

/**
 * The ways to put a page to sleep, each with the engines that allow it. `sleep` starts it and
 * returns what ends it; `cut` also drops the link at the server while the page sleeps;
 * `survives(engine)` says whether the link can come through (then no reconnect is expected).
 */
export const CASES = [
  {
    name: 'frozen',
    label: 'page frozen (CDP `Page.setWebLifecycleState`)',
    engines: ['chromium'],
    // Chromium closes a frozen page's WebSockets when it thaws it (close code 1001 at the server).
    survives: () => false,
    async sleep({ page }) {
      const cdp = await page.createCDPSession()
      await cdp.send('Page.setWebLifecycleState', { state: 'frozen' })
      return async () => {
        await cdp.send('Page.setWebLifecycleState', { state: 'active' })
        await cdp.detach()
      }
    },
  },
  {
    name: 'hidden',
    label: 'tab in the background (another tab in front, timers throttled)',
    engines: ['chromium', 'firefox'],
    survives: () => true,
    async sleep({ browser, page }) {
      const other = await browser.newPage()
      await other.bringToFront()
      return async () => {
        await page.bringToFront()
        await other.close()
      }
    },
  },
  {
    name: 'stopped',
    label: 'browser stopped (SIGSTOP), the link alive',
    engines: ['chromium', 'firefox'],
    // The kernel keeps the connection while the processes are stopped: a laptop's sleep the link survives.
    survives: () => true,
    async sleep({ browser }) {
      signal(browser, 'SIGSTOP')
      return async () => signal(browser, 'SIGCONT')
    },
  },
  {
    name: 'stoppedCut',
    label: 'browser stopped (SIGSTOP), the link cut at the server meanwhile',
    engines: ['chromium', 'firefox'],
    cut: true,
    survives: () => false,
    async sleep({ browser }) {
      signal(browser, 'SIGSTOP')
      return async () => signal(browser, 'SIGCONT')
    },
  },
  {
    name: 'offline',
    label: 'offline emulation and back',
    engines: ['chromium', 'firefox'],
    // Chromium holds an open link's frames while offline, so the probe on `offline` cuts it; Firefox
    // lets them through and only fails new connections.
    survives: (engine) => engine === 'firefox',
    async sleep({ page }) {
      await page.setOfflineMode(true)
      return async () => page.setOfflineMode(false)
    },
  },
]

/** Starts `engine` (an entry of ENGINES), or returns null when it is not installed. */
export function launchEngine(engine) {
  const path = engine.paths.find((p) => p && existsSync(p))
  return path ? engine.launch(path) : null
}

/** The demo page, named and open, its room joined, recording every open and close with the wall clock. */
async function openDemo(browser, server) {
  const page = await browser.newPage()
  await page.goto(server.url)
  await page.evaluate(() => {
    const name = document.getElementById('name')
    name.value = 'Ada'
    name.dispatchEvent(new Event('change'))
    const log = { opens: [], closes: [], errors: [] }
    window.resumeLog = log
    window.socket.on('open', () => log.opens.push(Date.now()))
    window.socket.on('close', (info) => log.closes.push([Date.now(), info?.code]))
    window.socket.on('error', (error) => log.errors.push([Date.now(), error?.code]))
  })
  await page.waitForSelector('#status-card[data-status="open"]', { timeout: 15_000 })
  await page.waitForSelector('#room-state[data-status="joined"]', { timeout: 15_000 })
  return page
}

/** One sleep of `ms` on a fresh demo page of `server`: what the page did from the resume on. */
export async function once(browser, server, sleepCase, ms) {
  const page = await openDemo(browser, server)
  try {
    const before = await page.$$eval('.room-line[data-offset]', (lines) => lines.length)
    const wake = await sleepCase.sleep({ browser, page })
    const visibilityAsleep = sleepCase.name === 'hidden' ? await page.evaluate(() => document.visibilityState) : null
    const asleep = now()
    if (sleepCase.cut) await control(server, 'crash')
    await control(server, 'publish?room=lobby&count=3')
    await sleep(Math.max(0, ms - (now() - asleep)))
    const resumedAt = Date.now()
    await wake()
    // A chat message at once: queued if the page knows the link is down, else written (and resent if lost).
    await page.evaluate(() => {
      document.getElementById('text').value = 'after the resume'
      document.getElementById('composer').requestSubmit()
    })
    const settled = await page
      .waitForFunction(
        (count) =>
          document.getElementById('status-card')?.dataset.status === 'open' &&
          document.querySelectorAll('.room-line[data-offset]').length >= count &&
          [...document.querySelectorAll('.message.own')].some((m) => m.dataset.state === 'delivered'),
        { timeout: 20_000, polling: 20 },
        before + 3,
      )
      .then(() => true)
      .catch(() => false)
    const page_ = await page.evaluate(
      (resumedAt) => ({
        opens: window.resumeLog.opens.filter((t) => t >= resumedAt),
        closes: window.resumeLog.closes.filter((c) => c[0] >= resumedAt - 60_000).map((c) => c[1]),
        errors: window.resumeLog.errors.filter((c) => c[0] >= resumedAt - 60_000).map((c) => c[1]),
        delivered: [...document.querySelectorAll('.message.own')].filter(
          (m) => m.querySelector('p')?.textContent === 'after the resume' && m.dataset.state === 'delivered',
        ).length,
        lines: document.querySelectorAll('.room-line[data-offset]').length,
        recovered: document.querySelectorAll('.room-line[data-recovered="true"]').length,
        visibility: document.visibilityState,
      }),
      resumedAt,
    )
    return {
      settled,
      visibilityAsleep,
      resumeToOpenMs: page_.opens.length ? page_.opens[0] - resumedAt : null,
      reconnects: page_.opens.length,
      closeCodes: page_.closes,
      errors: page_.errors,
      deliveredOnce: page_.delivered === 1,
      published: 3,
      shown: page_.lines - before,
      recovered: page_.recovered,
    }
  } finally {
    await page.close().catch(() => {})
  }
}

/** Every case in every installed engine, `runs` times each, asleep `sleepMs` each time. */
export async function resume({ runs, sleepMs, log }) {
  const results = []
  const skipped = []
  for (const engine of ENGINES) {
    const browser = await launchEngine(engine)
    if (!browser) {
      skipped.push(`${engine.label} (not installed: ${engine.install})`)
      continue
    }
    try {
      for (const sleepCase of CASES) {
        if (!sleepCase.engines.includes(engine.name)) continue
        const rounds = []
        for (let run = 0; run < runs; run++) {
          const server = await startDemoServer({ port: 0 })
          try {
            rounds.push(await once(browser, server, sleepCase, sleepMs))
          } finally {
            await server.close()
          }
        }
        const opened = rounds.map((r) => r.resumeToOpenMs).filter((v) => v !== null)
        const row = {
          engine: engine.name,
          case: sleepCase.name,
          label: sleepCase.label,
          survives: sleepCase.survives(engine.name),
          runs,
          resumeToOpenMs: opened.length ? median(opened) : null,
          resumeToOpenMaxMs: opened.length ? Math.max(...opened) : null,
          reconnected: rounds.filter((r) => r.reconnects > 0).length,
          deliveredOnce: rounds.filter((r) => r.deliveredOnce).length,
          linesShown: rounds.map((r) => r.shown),
          recovered: rounds.map((r) => r.recovered),
          settled: rounds.filter((r) => r.settled).length,
          closeCodes: [...new Set(rounds.flatMap((r) => r.closeCodes))],
          errors: [...new Set(rounds.flatMap((r) => r.errors))],
          visibilityAsleep: rounds.map((r) => r.visibilityAsleep).filter(Boolean),
        }
        results.push(row)
        log(
          `  ${engine.label.padEnd(9)} ${sleepCase.name.padEnd(10)} open again ${row.resumeToOpenMs === null ? 'never (survived)' : `${Math.round(row.resumeToOpenMs)} ms`}` +
            `, reconnected ${row.reconnected}/${runs}, message once ${row.deliveredOnce}/${runs}, lines ${row.linesShown.join('/')} of 3 (recovered ${row.recovered.join('/')}), close codes ${row.closeCodes.join(',') || '–'}, errors ${row.errors.join(',') || '–'}`,
        )
      }
    } finally {
      await browser.close().catch(() => {})
    }
  }
  return { sleepMs, runs, results, skipped }
}
