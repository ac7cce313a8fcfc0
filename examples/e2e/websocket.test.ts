// LifelineWebSocket in real browsers, from its CDN bundle (lifeline-websocket.iife.min.js, which adds
// Lifeline.LifelineWebSocket to the core bundle's global), against the demo server's /live endpoint:
// a relative URL, the standard events and ready states, a crash it comes back from, and the plain
// mode that ends for good.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import type { Page } from './browsers.js'
import { describeEach, useDemo } from './demo.js'

const BUNDLE = fileURLToPath(new URL('../../packages/core/dist/lifeline-websocket.iife.min.js', import.meta.url))

interface Log {
  /** `open`, `error` and `close <code>`, in order (the server also sends messages of its own). */
  events: string[]
  /** `readyState` during each of those. */
  states: number[]
  /** The data of every message. */
  data: unknown[]
  /** `readyState` right after the constructor. */
  initial: number
}

describeEach('LifelineWebSocket', (browser) => {
  const demo = useDemo('websocket', browser)

  /**
   * A page of the demo server's origin that loads both bundles, with a socket to `/live` recording
   * its events. The page is one the server does not have (a bare 404 document, with no policy:
   * nothing else runs there); the demo server serves only the core bundle, so the websocket bundle
   * runs as an inline script with the file's text.
   */
  async function open(options: object): Promise<Page> {
    const page = await demo().open('lifeline-websocket-check')
    await page.evaluate(
      async (source) => {
        await new Promise((resolve, reject) => {
          const script = document.createElement('script')
          script.src = '/lifeline.iife.min.js'
          script.onload = resolve
          script.onerror = reject
          document.head.append(script)
        })
        const inline = document.createElement('script')
        inline.textContent = source
        document.head.append(inline)
      },
      readFileSync(BUNDLE, 'utf8'),
    )
    await page.evaluate((options) => {
      const w = window as unknown as { Lifeline: { LifelineWebSocket: typeof WebSocket }; ws: WebSocket; log: Log }
      w.ws = new (w.Lifeline.LifelineWebSocket as unknown as new (...args: unknown[]) => WebSocket)('/live', [], {
        reconnect: { initialDelay: 50, maxDelay: 200, jitter: 'none' },
        ...options,
      })
      const log: Log = { events: [], states: [], data: [], initial: w.ws.readyState }
      w.log = log
      w.ws.addEventListener('message', (event) => log.data.push(event.data))
      for (const type of ['open', 'error', 'close']) {
        w.ws.addEventListener(type, (event) => {
          log.events.push(`${type}${type === 'close' ? ` ${(event as CloseEvent).code}` : ''}`)
          log.states.push(w.ws.readyState)
        })
      }
    }, options)
    return page
  }

  const log = (page: Page) => page.evaluate(() => (window as unknown as { log: Log }).log)
  const until = (page: Page, predicate: string) => page.waitForFunction(predicate, null, { timeout: 10_000 })
  const control = (page: Page, action: string) =>
    page.evaluate((action) => fetch(`/control/${action}`, { method: 'POST' }).then((r) => r.ok), action)

  it('connects to a relative URL and speaks the standard interface', async () => {
    const page = await open({})
    const facts = await page.evaluate(() => {
      const { ws, Lifeline } = window as unknown as { ws: WebSocket; Lifeline: { LifelineWebSocket: typeof WebSocket } }
      return {
        url: ws.url,
        readyState: (window as unknown as { log: Log }).log.initial,
        binaryType: ws.binaryType,
        constants: [Lifeline.LifelineWebSocket.CONNECTING, ws.OPEN, ws.CLOSING, Lifeline.LifelineWebSocket.CLOSED],
        isEventTarget: ws instanceof EventTarget,
      }
    })
    expect(facts).toEqual({
      url: `${demo().server.wsUrl}`,
      readyState: 0,
      binaryType: 'blob',
      constants: [0, 1, 2, 3],
      isEventTarget: true,
    })
    await until(page, 'window.ws.readyState === 1')
    await page.evaluate(() => (window as unknown as { ws: WebSocket }).ws.send('{"type":"ping"}'))
    await until(page, `window.log.data.includes('{"type":"pong"}')`)
    const kinds = await page.evaluate(() => {
      const { ws } = window as unknown as { ws: WebSocket }
      return new Promise<string[]>((resolve) => {
        ws.onmessage = (event) => resolve([event.constructor.name, typeof event.data])
        ws.send('{"type":"ping"}')
      })
    })
    expect(kinds).toEqual(['MessageEvent', 'string'])

    const closing = await page.evaluate(() => {
      const { ws } = window as unknown as { ws: WebSocket }
      ws.close(1000, 'done')
      return ws.readyState
    })
    expect(closing).toBe(2)
    await until(page, 'window.ws.readyState === 3')
    expect((await log(page)).events).toEqual(['open', 'close 1000'])
  })

  it('reconnects after a crash: error + close 1006 while CONNECTING, then open, and delivers what was sent meanwhile', async () => {
    // A second's wait before the retry: the page must look at the socket while it is still down.
    const page = await open({ reconnect: { initialDelay: 1000, maxDelay: 1000, jitter: 'none' } })
    await until(page, 'window.ws.readyState === 1')
    expect(await control(page, 'crash')).toBe(true)
    await until(page, `window.log.events.includes('close 1006')`)
    const queued = await page.evaluate(() => {
      const { ws } = window as unknown as { ws: WebSocket }
      const state = ws.readyState
      ws.send('{"type":"ping"}')
      return [state, ws.bufferedAmount]
    })
    expect(queued).toEqual([0, 15])
    await until(page, `window.log.events.filter((e) => e === 'open').length === 2`)
    await until(page, `window.log.data.includes('{"type":"pong"}')`)
    const { events, states } = await log(page)
    expect(events.slice(0, 4)).toEqual(['open', 'error', 'close 1006', 'open'])
    expect(states.slice(0, 4)).toEqual([1, 0, 0, 1])
  })

  it('with { reconnect: false } ends for good after a crash, as a plain WebSocket does', async () => {
    const page = await open({ reconnect: false })
    await until(page, 'window.ws.readyState === 1')
    await control(page, 'crash')
    await until(page, 'window.ws.readyState === 3')
    expect((await log(page)).events).toEqual(['open', 'error', 'close 1006'])
    // Closed for good: no retry is scheduled.
    const status = await page.evaluate(
      () =>
        (window as unknown as { ws: { socket: { getSnapshot(): { status: string } } } }).ws.socket.getSnapshot().status,
    )
    expect(status).toBe('closed')
  })
})
