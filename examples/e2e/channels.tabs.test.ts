// Channels under connectShared in Chromium: three pages of one profile are three tabs following one
// channel through one connection. The group joins the channel once; every tab delivers each
// publication once, in order; when the leader tab (which also follows the channel for the others)
// crashes, the next tab rejoins from the last position the group delivered, and the publications
// made meanwhile reach the remaining tabs once each. Presence: a user's three tabs are one member,
// with or without connectShared, a reconnect of them is no leave and no join, and the user leaves
// after its last tab. The pages load the CDN files as built.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { connect, type Socket } from '@lifeline/core'
import { channel } from '@lifeline/core/channels'
import { attach, type Hub } from '@lifeline/server'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import NodeWebSocket, { WebSocketServer } from 'ws'
import { CHROMIUM_ARGS } from '../../scripts/chromium.mjs'
import { requireBrowser } from './browsers.js'

/** Chromium, or a loud skip (a failure under CI) when it is not installed. */
const CHROMIUM = requireBrowser('chromium').path

/** A headless Chromium whose tabs share the profile at `profile` (one origin's tabs, as a user's). */
const launchChromium = (profile: string) =>
  chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM as string,
    headless: true,
    args: [...CHROMIUM_ARGS],
  })
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

describe.skipIf(!CHROMIUM)('channels in three tabs (Chromium)', () => {
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
    context = await launchChromium(profile)
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

/** Pages of presence: `?user=` signs in as that user, `&shared=0` opens a connection of its own instead of connectShared. */
const PRESENCE_PAGE = `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
${FILES.map((file) => `<script src="/${file}"></script>`).join('\n')}
<script>
  const query = new URLSearchParams(location.search)
  const options = { auth: () => query.get('user'), reconnect: { initialDelay: 50, maxDelay: 250, jitter: 'none' } }
  const socket = query.get('shared') === '0'
    ? Lifeline.connect(query.get('ws'), options)
    : Lifeline.connectShared(query.get('ws'), options)
  const room = Lifeline.channel(socket, 'lobby', { presence: true })
  Object.assign(window, { socket, room })
</script></head><body></body></html>`

interface PresenceWin {
  room: { getSnapshot(): { status: string }; presence(): Array<{ id: string }> }
}

describe.skipIf(!CHROMIUM)('presence in three tabs (Chromium)', () => {
  const GRACE = 1000
  let http: Server
  let hub: Hub
  let wsUrl: string
  let pageUrl: string
  let context: BrowserContext
  let profile: string
  let watcher: Socket
  /** What a Node client in the channel was told: `join <id>` and `leave <id>`, in order. */
  const told: string[] = []

  beforeAll(async () => {
    http = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(PRESENCE_PAGE)
      const file = FILES.find((name) => path === `/${name}`)
      if (!file) return res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(`${DIST}${file}`))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    hub = attach(new WebSocketServer({ server: http }), {
      heartbeat: false,
      authenticate: ({ token }) => ({ userId: String(token) }),
      presence: { grace: GRACE },
    })
    hub.on('error', () => {})
    const { port } = http.address() as AddressInfo
    wsUrl = `ws://127.0.0.1:${port}/`
    pageUrl = `http://127.0.0.1:${port}/?ws=${encodeURIComponent(wsUrl)}`
    watcher = connect(wsUrl, { WebSocket: NodeWebSocket, auth: () => 'watcher' })
    const lobby = channel(watcher, 'lobby', { presence: true })
    lobby.on('join', ({ id }) => told.push(`join ${id}`))
    lobby.on('leave', ({ id }) => told.push(`leave ${id}`))
    profile = mkdtempSync(join(tmpdir(), 'lifeline-presence-tabs-'))
    context = await launchChromium(profile)
  })

  afterAll(async () => {
    watcher?.dispose()
    await context?.close()
    rmSync(profile, { recursive: true, force: true })
    await hub?.close()
    http?.closeAllConnections()
    await new Promise((resolve) => http?.close(resolve))
  })

  /** Resolves once `check` holds, asking every 20 ms; fails after 20 s. */
  async function until(check: () => boolean, what: string) {
    const started = performance.now()
    while (!check()) {
      if (performance.now() - started > 20_000) throw new Error(`not within 20 s: ${what}; told ${told}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }

  async function openTabs(user: string, shared: boolean): Promise<Page[]> {
    const pages: Page[] = []
    for (let i = 0; i < 3; i++) {
      const page = await context.newPage()
      await page.goto(`${pageUrl}&user=${user}&shared=${shared ? 1 : 0}`)
      pages.push(page)
    }
    for (const page of pages) {
      await page.waitForFunction(
        (user) => (window as unknown as PresenceWin).room.presence().some((member) => member.id === user),
        user,
        { timeout: 20_000 },
      )
    }
    return pages
  }
  const here = (page: Page) =>
    page.evaluate(() => (window as unknown as PresenceWin).room.presence().map((member) => member.id))
  const members = (channel: string) => hub.presence(channel).map((member) => member.id)

  it('shows a user with three tabs once, with and without connectShared, and lets it go after its last tab', async () => {
    const shared = await openTabs('ann', true)
    const own = await openTabs('bob', false)
    expect(hub.peers.size).toBe(1 + 1 + 3) // the watcher, Ann's leader tab, Bob's three tabs
    await until(() => told.includes('join bob'), 'bob joining')
    expect(told).toEqual(['join ann', 'join bob'])
    expect(members('lobby')).toEqual(['watcher', 'ann', 'bob'])
    for (const page of [...shared, ...own]) expect(await here(page)).toEqual(['watcher', 'ann', 'bob'])

    // Two of Bob's tabs close: he is still here.
    await own[0]?.close()
    await own[1]?.close()
    // A reconnect of every tab of Ann (the server drops their link) is no leave and no join.
    for (const peer of hub.peers) if ((peer.data as { userId?: string }).userId === 'ann') peer.close(1012, 'restart')
    await (shared[0] as Page).waitForFunction(
      () => (window as unknown as PresenceWin).room.getSnapshot().status === 'joined',
      null,
      { timeout: 20_000 },
    )
    // Waiting out the grace period is the only way to see that nothing comes after it.
    await new Promise((resolve) => setTimeout(resolve, GRACE + 500))
    expect(told).toEqual(['join ann', 'join bob'])

    await own[2]?.close()
    await until(() => told.includes('leave bob'), 'bob leaving')
    for (const page of shared) await page.close()
    await until(() => told.includes('leave ann'), 'ann leaving')
    expect(told).toEqual(['join ann', 'join bob', 'leave bob', 'leave ann'])
    expect(members('lobby')).toEqual(['watcher'])
  })
})
