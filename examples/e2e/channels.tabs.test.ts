// Channels under connectShared in Chromium: three pages of one profile are three tabs following one
// channel through one connection. The group joins the channel once; every tab delivers each
// publication once, in order; when the leader tab (which also follows the channel for the others)
// crashes, the next tab rejoins from the last position the group delivered, and the publications
// made meanwhile reach the remaining tabs once each. The pages load the CDN files as built.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { attach, type Hub } from '@lifeline/server'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocketServer } from 'ws'

const CHROMIUM = '/usr/bin/chromium'
const DIST = fileURLToPath(new URL('../../packages/core/dist/', import.meta.url))
const FILES = ['lifeline.iife.min.js', 'lifeline-tabs.iife.min.js', 'lifeline-channels.iife.min.js']

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
${FILES.map((file) => `<script src="/${file}"></script>`).join('\n')}
<script>
  const socket = Lifeline.connectShared(new URLSearchParams(location.search).get('ws'), {
    reconnect: { initialDelay: 50, maxDelay: 250 },
  })
  const room = Lifeline.channel(socket, 'room')
  const seen = []
  room.on('message', (data, { offset }) => seen.push([data, offset]))
  room.on('gap', (gap) => seen.push(['gap', gap.from, gap.to]))
  Object.assign(window, { socket, room, seen })
</script></head><body></body></html>`

interface Win {
  seen: Array<[unknown, number] | ['gap', number, number]>
  room: { getSnapshot(): { status: string; offset: number } }
  socket: { getSnapshot(): { leader: boolean; status: string } }
}

describe.skipIf(!existsSync(CHROMIUM))('channels in three tabs (Chromium)', () => {
  let http: Server
  let hub: Hub
  let url: string
  /** The `$join` requests the server read, in order, with their `since`. */
  const joins: Array<{ since?: { epoch: string; offset: number } }> = []
  let context: BrowserContext
  let profile: string

  beforeAll(async () => {
    http = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE)
      const file = FILES.find((name) => path === `/${name}`)
      if (!file) return res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(`${DIST}${file}`))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const wss = new WebSocketServer({ server: http })
    wss.on('connection', (ws) => {
      ws.on('message', (raw) => {
        const frame = JSON.parse(String(raw)) as { type?: string; data?: { since?: { epoch: string; offset: number } } }
        if (frame.type === '$join') joins.push({ since: frame.data?.since })
      })
    })
    hub = attach(wss, { heartbeat: false })
    hub.on('error', () => {})
    const { port } = http.address() as AddressInfo
    url = `http://127.0.0.1:${port}/?ws=${encodeURIComponent(`ws://127.0.0.1:${port}/`)}`
    profile = mkdtempSync(join(tmpdir(), 'lifeline-channels-tabs-'))
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  })

  afterAll(async () => {
    await context?.close()
    rmSync(profile, { recursive: true, force: true })
    await hub?.close()
    http?.closeAllConnections()
    await new Promise((resolve) => http?.close(resolve))
  })

  /** Waits until the page's handle has delivered `count` publications (or gaps). */
  const delivered = (page: Page, count: number) =>
    page.waitForFunction((count) => (window as unknown as Win).seen.length >= count, count, { timeout: 20_000 })
  const seen = (page: Page) => page.evaluate(() => (window as unknown as Win).seen)

  it('joins once for the group, and after the leader crashes rejoins from the last position the group delivered', async () => {
    const errors: string[] = []
    const pages: Page[] = []
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage()
      page.on('pageerror', (error) => errors.push(error.message))
      await page.goto(url)
      pages.push(page)
    }
    const [first, second, third] = pages as [Page, Page, Page]
    for (const page of pages) {
      await page.waitForFunction(() => (window as unknown as Win).room.getSnapshot().status === 'joined', null, {
        timeout: 20_000,
      })
    }
    expect(await first.evaluate(() => (window as unknown as Win).socket.getSnapshot().leader)).toBe(true)
    expect(joins).toHaveLength(1)

    const { epoch } = await hub.publish('room', 'one')
    await hub.publish('room', 'two')
    await hub.publish('room', 'three')
    for (const page of pages) await delivered(page, 3)

    // The leader, which also follows the channel for the group, crashes.
    const cdp = await context.newCDPSession(first)
    const crashed = new Promise<void>((resolve) => first.once('crash', () => resolve()))
    void cdp.send('Page.crash').catch(() => {})
    await crashed
    await hub.publish('room', 'four')
    await hub.publish('room', 'five')
    for (const page of [second, third]) await delivered(page, 5)
    await hub.publish('room', 'six')
    for (const page of [second, third]) await delivered(page, 6)

    const expected = ['one', 'two', 'three', 'four', 'five', 'six'].map((data, i) => [data, i + 1])
    expect(await seen(second)).toEqual(expected)
    expect(await seen(third)).toEqual(expected)
    // One join for the group, then one from the tab that took over, from where the group was.
    expect(joins).toEqual([{ since: undefined }, { since: { epoch, offset: 3 } }])
    expect(errors).toEqual([])
    for (const page of [second, third]) await page.close()
  })
})
