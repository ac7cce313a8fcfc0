// The plain-HTML demo page in real browsers: it connects, chats, and loads the CDN bundle
// with the integrity hash the build computed.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { describeEach, messages, openChat, say, useDemo, waitForMessages } from './demo.js'

const SRI = new URL('../../packages/core/dist/sri.json', import.meta.url)

describeEach('the CDN demo page', (browser) => {
  const demo = useDemo('cdn', browser)

  it('reaches Open and shows a message typed in the page once, delivered', async () => {
    const page = await openChat(demo(), 'Ada')
    await expect(page.locator('#status').textContent()).resolves.toBe('Open')

    expect(await say(page, 'hello, world')).toMatch(/^(sending|delivered)$/)
    await waitForMessages(page, ['hello, world'], { own: true })
    expect(await messages(page)).toEqual(['hello, world [delivered]'])
  })

  it('shows a message from one tab in another, once', async () => {
    const ada = await openChat(demo(), 'Ada')
    const grace = await openChat(demo(), 'Grace')
    // Each sees the other online.
    await grace.locator('#online li', { hasText: 'Ada' }).waitFor()
    await ada.locator('#online li', { hasText: 'Grace' }).waitFor()

    await say(ada, 'Hi Grace')
    await waitForMessages(grace, ['Hi Grace'])
    await say(grace, 'Hi Ada')
    await waitForMessages(ada, ['Hi Grace', 'Hi Ada'])
    await waitForMessages(grace, ['Hi Ada'], { own: true }) // its echo is back
    expect(await messages(grace)).toEqual(['Hi Grace []', 'Hi Ada [delivered]'])
    await expect(grace.locator('.message:not(.own) strong').textContent()).resolves.toBe('Ada')
  })

  it('loads the CDN bundle with the integrity hash the build wrote to sri.json', async () => {
    const page = await openChat(demo(), 'Ada')
    const integrity = await page.locator('script[src="/lifeline.iife.min.js"]').getAttribute('integrity')
    const bundle = Buffer.from(await (await fetch(new URL('/lifeline.iife.min.js', page.url()))).arrayBuffer())
    const built = JSON.parse(readFileSync(SRI, 'utf8'))['dist/lifeline.iife.min.js']
    const served = `sha384-${createHash('sha384').update(bundle).digest('base64')}`
    expect(built, 'sri.json is the hash of the bundle served (else: `npm run build`)').toBe(served)
    // The browser checked the file against it and ran it: the socket opened.
    expect(integrity).toBe(built)
  })

  it('serves the page under a strict Content-Security-Policy', async () => {
    const page = await demo().open()
    const response = await fetch(page.url())
    const policy = response.headers.get('content-security-policy') ?? ''
    expect(policy).toContain("script-src 'self'")
    expect(policy).not.toMatch(/unsafe-(inline|eval)/)
  })
})
