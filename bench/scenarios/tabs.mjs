// Tabs: N tabs of one Chromium profile (pages of one persistent context share BroadcastChannel
// and Web Locks, as tabs do) on a page that connects with `connectShared`, and the same page with
// plain `connect` in every tab: the WebSockets open at the server once every tab is open, the
// time until every tab reports `open`, and each tab's JS heap after a forced garbage collection.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS } from '../../scripts/chromium.mjs'
import { now, sleep } from '../lib/clock.mjs'
import { median } from '../lib/stats.mjs'

const DIST = fileURLToPath(new URL('../../packages/core/dist/', import.meta.url))
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
const INSTALL = 'no Chromium: apt-get update && apt-get install -y chromium (or set CHROMIUM_PATH)'

const PAGE = `<!doctype html><meta charset="utf-8"><title>tab</title><link rel="icon" href="data:,">
<script src="/lifeline.iife.min.js"></script><script src="/lifeline-tabs.iife.min.js"></script><script src="/tab.js"></script>`

// Each tab: one socket, connectShared or connect, with the library's defaults (`none`: no socket,
// the baseline the heap numbers are measured against).
const TAB = `const params = new URLSearchParams(location.search)
const mode = params.get('mode')
const make = mode === 'connectShared' ? Lifeline.connectShared : Lifeline.connect
window.socket = mode === 'none' ? null : make(params.get('ws'))`

/** Serves the page and the built bundles on 127.0.0.1. */
async function pageServer() {
  const files = {
    '/': ['text/html', PAGE],
    '/tab.js': ['text/javascript', TAB],
    '/lifeline.iife.min.js': ['text/javascript', readFileSync(`${DIST}lifeline.iife.min.js`)],
    '/lifeline-tabs.iife.min.js': ['text/javascript', readFileSync(`${DIST}lifeline-tabs.iife.min.js`)],
  }
  const http = createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname]
    if (!file) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': file[0] }).end(file[1])
  })
  await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
  return { port: http.address().port, close: () => new Promise((resolve) => http.close(resolve)) }
}

/** One run: `count` tabs in a fresh profile, all on `mode`. */
async function run(executablePath, mode, count, pagePort, wsPort, server) {
  const profile = mkdtempSync(join(tmpdir(), 'lifeline-bench-tabs-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
  })
  try {
    await server.take('tabs') // forget earlier runs
    const url = `http://127.0.0.1:${pagePort}/?mode=${mode}&ws=${encodeURIComponent(`ws://127.0.0.1:${wsPort}/`)}`
    const started = now()
    const pages = []
    for (let i = 0; i < count; i++) {
      const page = await context.newPage()
      await page.goto(url)
      pages.push(page)
    }
    const isOpen = () => !window.socket || window.socket.getSnapshot().status === 'open'
    for (const page of pages) await page.waitForFunction(isOpen, null, { timeout: 10_000 })
    const allOpenMs = now() - started
    // Followers count as open once their leader's link is: wait for the server to see what it will.
    let sockets = 0
    for (let i = 0; i < 20; i++) {
      sockets = (await server.take('tabs')).clients
      if (sockets === (mode === 'connectShared' ? 1 : mode === 'none' ? 0 : count)) break
      await sleep(50)
    }
    const heaps = []
    for (const page of pages) {
      const cdp = await context.newCDPSession(page)
      await cdp.send('HeapProfiler.collectGarbage')
      const { usedSize } = await cdp.send('Runtime.getHeapUsage')
      const leader = await page.evaluate(() => window.socket?.getSnapshot().leader === true)
      heaps.push({ usedSize, leader })
      await cdp.detach()
    }
    const leaderHeap = heaps.find((h) => h.leader)?.usedSize ?? Number.NaN
    const followers = heaps.filter((h) => !h.leader).map((h) => h.usedSize)
    return {
      mode,
      tabs: count,
      serverSockets: sockets,
      allOpenMs,
      heapPerTabBytes: median(heaps.map((h) => h.usedSize)),
      heapTotalBytes: heaps.reduce((sum, h) => sum + h.usedSize, 0),
      leaderHeapBytes: mode === 'connectShared' ? leaderHeap : Number.NaN,
      followerHeapBytes: followers.length && mode === 'connectShared' ? median(followers) : Number.NaN,
    }
  } finally {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  }
}

export async function tabs(server, { counts, log }) {
  const executablePath = CHROMIUM.find((path) => path && existsSync(path))
  if (!executablePath) {
    if (process.env.CI) throw new Error(INSTALL)
    log(`  SKIPPED: ${INSTALL}`)
    return { skipped: INSTALL, results: [] }
  }
  const { port: wsPort } = await server.listen('tabs')
  const pages = await pageServer()
  const results = []
  let baselineHeapBytes = Number.NaN
  try {
    baselineHeapBytes = (await run(executablePath, 'none', 1, pages.port, wsPort, server)).heapPerTabBytes
    log(`  a tab with the bundles loaded and no socket: JS heap ${(baselineHeapBytes / 1024).toFixed(0)} KiB`)
    for (const count of counts) {
      for (const mode of ['connectShared', 'connect']) {
        const r = await run(executablePath, mode, count, pages.port, wsPort, server)
        results.push(r)
        log(
          `  ${mode.padEnd(13)} ${String(count).padStart(2)} tabs: ${r.serverSockets} socket(s) at the server, ` +
            `all open in ${Math.round(r.allOpenMs)} ms, JS heap +${((r.heapPerTabBytes - baselineHeapBytes) / 1024).toFixed(1)} KiB per tab`,
        )
      }
    }
  } finally {
    await pages.close()
    await server.down('tabs')
  }
  return { chromium: executablePath, counts, baselineHeapBytes, results }
}
