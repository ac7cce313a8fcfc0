// The demo page recovering in real browsers: the browser going offline, and the server crashing,
// falling into a black hole and refusing with 4401, each driven from the page's own controls.
// Whatever was typed while the link was down arrives once, in order, after it comes back.
import { mkdirSync } from 'node:fs'
import { expect, it } from 'vitest'
import type { Page } from './browsers.js'
import { QUIRKS } from './browsers.js'
import {
  type Demo,
  describeEach,
  openChat,
  picture,
  RESULTS,
  say,
  shortenFault,
  useDemo,
  waitForMessages,
  waitForStatus,
  waitUntilDown,
} from './demo.js'

/**
 * Arms the page to type `texts` the moment its socket reports the link closed, before any retry
 * can start: the only way to be sure they are typed while it is down after a crash, whose first
 * retry may come within milliseconds. Returns the states the page gave them.
 */
async function typeOnClose(page: Page, texts: string[]): Promise<() => Promise<string[]>> {
  await page.evaluate((texts) => {
    const win = window as unknown as { socket: { on(type: string, f: () => void): () => void }; typed: unknown }
    win.typed = new Promise<string[]>((resolve) => {
      const off = win.socket.on('close', () => {
        off()
        const input = document.getElementById('text') as HTMLInputElement
        const form = document.getElementById('composer') as HTMLFormElement
        for (const text of texts) {
          input.value = text
          form.requestSubmit()
        }
        const own = [...document.querySelectorAll<HTMLElement>('.message.own')].slice(-texts.length)
        resolve(own.map((item) => item.dataset.state ?? ''))
      })
    })
  }, texts)
  return () => page.evaluate(() => (window as unknown as { typed: Promise<string[]> }).typed)
}

/** A third tab that joins afterwards is sent the server's whole history: the server's own record. */
async function serverRecord(demo: Demo, texts: string[]): Promise<void> {
  const observer = await openChat(demo, 'Observer')
  await waitForMessages(observer, texts)
}

describeEach('the demo page recovering', (browser) => {
  /** The canonical picture of the demo, refreshed on every run. */
  const SCREENSHOT = picture('demo', browser)
  const demo = useDemo('recovery', browser)

  it('follows context.setOffline: shows navigator.onLine, recovers, delivers what was typed offline once', async () => {
    const ada = await openChat(demo(), 'Ada')
    const grace = await openChat(demo(), 'Grace')
    await expect(ada.locator('#net-value').textContent()).resolves.toBe('true')

    await demo().context.setOffline(true)
    await ada.locator('#net[data-online="false"]').waitFor()
    await expect(ada.locator('#net-value').textContent()).resolves.toBe('false')
    await ada.locator('#net-events li[data-type="offline"]').waitFor()
    // The socket may still look open: Lifeline only probes on `offline`.
    const holds = QUIRKS[browser.engine].offlineHoldsOpenSockets
    const typed = [
      'typed just after going offline',
      holds ? 'typed once the socket knew' : 'typed later, still offline',
    ]
    await say(ada, typed[0] as string)
    if (holds) {
      // Chromium holds an open link's frames while offline: the probe goes unanswered and the link is
      // cut. The message went into a dead link; the page resends it after the reconnect unless the server had it.
      await waitUntilDown(ada)
      expect(await say(ada, typed[1] as string)).toBe('queued')
    } else {
      // Firefox lets an open link's frames through while offline: the probe is answered, the link stays.
      await waitForMessages(ada, typed.slice(0, 1), { own: true })
      expect(await say(ada, typed[1] as string)).toMatch(/^(sending|delivered)$/)
    }

    await demo().context.setOffline(false)
    await ada.locator('#net[data-online="true"]').waitFor()
    await ada.locator('#net-events li[data-type="online"]').waitFor()
    await waitForStatus(ada, 'open')
    await waitForMessages(ada, typed, { own: true })
    await waitForMessages(grace, typed)
    await serverRecord(demo(), typed)
    // Where the link survived, it was never retried.
    if (!holds) expect(await ada.locator('#attempts .attempt').count()).toBe(0)
  })

  it('recovers from a crash; messages typed while down arrive once, in order, in another tab', async () => {
    const ada = await openChat(demo(), 'Ada')
    const grace = await openChat(demo(), 'Grace')
    await say(ada, 'before the crash')
    await waitForMessages(grace, ['before the crash'])

    const typed = ['down 1', 'down 2', 'down 3']
    const states = await typeOnClose(ada, typed)
    await ada.locator('[data-control="crash"]').click()
    expect(await states()).toEqual(['queued', 'queued', 'queued'])

    await waitForStatus(ada, 'open')
    const all = ['before the crash', ...typed]
    await waitForMessages(ada, all, { own: true })
    await waitForMessages(grace, all)
    await serverRecord(demo(), all)
    // The recovery is on screen: a reconnect attempt that connected, and a reconnecting stretch.
    await ada.locator('#attempts .attempt[data-outcome="open"] .attempt-cause', { hasText: '1006' }).waitFor()
    await ada.locator('#timeline rect.tl-reconnecting').first().waitFor({ state: 'attached' })
  })

  it('recovers from a black hole: what went into it and what was typed after arrive once, in order', async () => {
    const ada = await openChat(demo(), 'Ada')
    const grace = await openChat(demo(), 'Grace')
    await say(grace, 'before the black hole')
    await waitForMessages(ada, ['before the black hole'])

    // Longer than the heartbeat needs to notice (2 s of silence + 2 s for the pong), shorter than the demo's 10 s.
    await shortenFault(ada, 'blackhole', 6)
    await ada.locator('[data-control="blackhole"]').click()
    await ada.locator('#server-mode[data-mode="blackhole"]').waitFor()
    // The link looks open but nothing comes back: this one is written to a dead link.
    expect(await say(ada, 'into the black hole')).toBe('sending')
    await waitUntilDown(ada)
    await ada.locator('#attempts .attempt-cause', { hasText: 'HEARTBEAT_TIMEOUT' }).waitFor()
    expect(await say(ada, 'after the heartbeat noticed')).toBe('queued')

    await waitForStatus(ada, 'open')
    const all = ['before the black hole', 'into the black hole', 'after the heartbeat noticed']
    await waitForMessages(ada, all)
    await waitForMessages(ada, all.slice(1), { own: true })
    await waitForMessages(grace, all)
    await serverRecord(demo(), all)

    await ada.locator('#timeline rect.tl-blackhole').first().waitFor({ state: 'attached' })
    mkdirSync(RESULTS, { recursive: true })
    await ada.screenshot({ path: SCREENSHOT, fullPage: true })
    console.log(`screenshot of the demo: ${SCREENSHOT}`)
  })

  it('stops retrying when the server rejects the handshake with 4401', async () => {
    const ada = await openChat(demo(), 'Ada')
    await ada.locator('[data-control="reject"]').click() // then reconnects into the rejection
    await waitForStatus(ada, 'closed')
    await expect(ada.locator('#status-detail').textContent()).resolves.toContain('4401')
    await ada.locator('#attempts .attempt[data-outcome="stopped"]').waitFor()
    // Closed for good: nothing is queued for a link that is not coming back.
    expect(await say(ada, 'nobody is listening')).toBe('dropped')
    await expect(ada.locator('#attempt').textContent()).resolves.toBe('0')
  })
})
