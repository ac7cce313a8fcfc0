// The HTTP fallback in Chromium and Firefox through a real HTTP proxy (squid) that refuses WebSockets:
// the demo page (?fallback) and a requests + channels scenario work over HTTP through it, and once
// the proxy lets WebSockets through, the page moves back to one within the probe interval.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type DemoServer, startDemoServer } from '../server/server.js'
import { type Context, describeEach, launch, type Page } from './browsers.js'
import { type Demo, openChat, say, waitForMessages } from './demo.js'
import { requireSquid, type Squid, startSquid } from './squid.js'

const squidPath = requireSquid()

interface Transports {
  websocket: number
  http: number
}

/** The demo server's peers by transport. */
async function transports(server: DemoServer): Promise<Transports> {
  const status = await (await fetch(new URL('/control/status', server.url))).json()
  return status.transports
}

/** Resolves once the server counts `expected` (checked every 50 ms, an outside process's state); returns when. */
async function untilTransports(server: DemoServer, expected: Transports, limit = 20_000): Promise<number> {
  const deadline = Date.now() + limit
  for (;;) {
    const now = await transports(server)
    if (now.websocket === expected.websocket && now.http === expected.http) return Date.now()
    if (Date.now() > deadline) throw new Error(`transports ${JSON.stringify(now)}, not ${JSON.stringify(expected)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

// squid missing (outside CI): skipped, with requireSquid's banner.
describe.skipIf(!squidPath)('the HTTP fallback through a proxy that refuses WebSockets', () =>
  describeEach('through squid', (browser) => {
    let squid: Squid
    let context: Context & { dispose(): Promise<void> }
    let server: DemoServer
    let errors: string[]

    beforeEach(async () => {
      squid = await startSquid(squidPath as string)
      // A browser per test: its proxy is this test's squid.
      context = await launch(browser, { proxy: squid.url })
      server = await startDemoServer({ port: 0 })
      errors = []
    })

    afterEach(async () => {
      await context.dispose()
      await server.close()
      await squid.stop()
      expect(errors, 'errors thrown on the page').toEqual([])
    })

    /** A new tab of the test's profile at `query`; errors thrown on it fail the test. */
    const open = async (query: string): Promise<Page> => {
      const page = await context.newPage()
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(new URL(query, server.url).href)
      return page
    }

    /** The demo page, as the shared helpers drive it. */
    const demo = (query: string): Demo => ({ server, context, open: () => open(query) })

    it('serves the demo over HTTP through the proxy: chat, a crash and its resend, while the WebSocket is refused', async () => {
      const page = await openChat(demo('?fallback'), 'Ada')
      expect(await transports(server)).toEqual({ websocket: 0, http: 1 })
      // The proxy refused the WebSocket's tunnel and let the page's HTTP through.
      const { port } = new URL(server.url)
      expect(squid.accessLog()).toMatch(new RegExp(`TCP_DENIED/403 .*CONNECT 127\\.0\\.0\\.1:${port}`))
      // (squid logs a request when it ends, without its query: the uplink's POSTs; the stream is still open.)
      expect(squid.accessLog()).toMatch(new RegExp(`TCP_MISS/204 .*POST http://127\\.0\\.0\\.1:${port}/live\\?`))

      expect(await say(page, 'hello through the proxy')).toBeTruthy()
      await waitForMessages(page, ['hello through the proxy'], { own: true })
      // The chosen transport is remembered for the session.
      expect(
        await page.evaluate(() => Object.entries(sessionStorage).filter(([k]) => k.startsWith('lifeline:'))),
      ).toEqual([[expect.stringContaining('lifeline:fallback:'), 'http']])
      // A crash of the link: the page comes back over HTTP, and what was sent meanwhile arrives once.
      await fetch(new URL('/control/crash', server.url), { method: 'POST' })
      await say(page, 'after the crash')
      await waitForMessages(page, ['hello through the proxy', 'after the crash'], { own: true })
      expect(await transports(server)).toEqual({ websocket: 0, http: 1 })
    })

    it('carries requests and channels with recovery through the proxy', async () => {
      const page = await open('?fallback')
      const result = await page.evaluate(async () => {
        // biome-ignore lint/suspicious/noExplicitAny: the CDN bundles' global
        const L = (globalThis as any).Lifeline
        // Every link the sockets open, to read the transport each one took.
        const links: object[] = []
        const Tracked = class extends L.FallbackWebSocket {
          constructor(url: string, protocols?: string | string[]) {
            super(url, protocols)
            links.push(this)
          }
        }
        const options = { WebSocket: Tracked, reconnect: { initialDelay: 100 } }
        const first = L.connect('/live', options)
        const time = await first.request('getTime', {})
        const room = L.channel(first, 'room:random')
        const lines: string[] = []
        room.on('message', (line: { text: string }) => lines.push(line.text))
        await new Promise<void>((resolve) => {
          const off = room.subscribe(() => {
            if (room.getSnapshot().status !== 'joined') return
            off()
            resolve()
          })
          if (room.getSnapshot().status === 'joined') resolve()
        })
        await room.publish({ text: 'mine' })
        const { epoch, offset } = room.getSnapshot()
        // Published while no one follows from this position; a second socket asks from it and gets them replayed.
        await fetch('/control/publish?room=random&count=3', { method: 'POST' })
        const second = L.connect('/live', options)
        const replayed: string[] = []
        const again = L.channel(second, 'room:random', { since: { epoch, offset } })
        again.on('message', (line: { text: string }) => replayed.push(line.text))
        await new Promise<void>((resolve) => {
          const check = () => replayed.length >= 3 && resolve()
          again.on('message', check)
        })
        const snapshot = again.getSnapshot()
        first.close()
        second.close()
        const transports = [...new Set(links.map((link) => (link as { transport: string | null }).transport))]
        return { transports, time: typeof time, lines, replayed, recovered: snapshot.recovered }
      })
      expect(result).toEqual({
        transports: ['http'],
        time: 'object',
        lines: expect.arrayContaining(['mine']),
        replayed: ['line 1 of 3', 'line 2 of 3', 'line 3 of 3'],
        recovered: true,
      })
      expect(squid.accessLog()).toMatch(/TCP_DENIED\/403 .*CONNECT 127\.0\.0\.1:\d+ /)
      expect(squid.accessLog()).toMatch(/TCP_MISS\/204 .*POST http:\/\/127\.0\.0\.1:\d+\/live\?/)
    })

    it('shares one HTTP link between the tabs of a group (connectShared): two tabs, one session', async () => {
      const tab = async (name: string) => {
        const page = await open('?share&fallback')
        await page.fill('#name', name)
        await page.locator('#name').dispatchEvent('change')
        await page.locator('#status-card[data-status="open"]').waitFor({ timeout: 20_000 })
        return page
      }
      const [ada, grace] = [await tab('Ada'), await tab('Grace')]
      expect(await transports(server)).toEqual({ websocket: 0, http: 1 })
      await say(grace, 'from the second tab')
      await waitForMessages(ada, ['from the second tab'])
      await waitForMessages(grace, ['from the second tab'], { own: true })
    })

    it('moves back to a WebSocket once the proxy lets it through, within the probe interval', async () => {
      const PROBE = 3000
      const page = await openChat(demo(`?fallback=${PROBE}`), 'Grace')
      await untilTransports(server, { websocket: 0, http: 1 })
      const allowed = Date.now()
      await squid.allowWebSocket()
      const upgraded = await untilTransports(server, { websocket: 1, http: 0 })
      // A probe every PROBE ms, then the reconnect (at most the demo's first retry delay, 1 s).
      expect(upgraded - allowed).toBeLessThan(PROBE + 1000 + 1000)
      console.log(`upgraded back to WebSocket ${upgraded - allowed} ms after the proxy allowed it`)
      await say(page, 'over a WebSocket again')
      await waitForMessages(page, ['over a WebSocket again'], { own: true })
      expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('lifeline:')))).toEqual(
        [],
      )
    })
  }),
)
