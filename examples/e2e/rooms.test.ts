// The demo page's Rooms card in real browsers: a room is a channel; lines the server published while
// the link was down come back once each, in order, marked recovered; once the server's history was
// trimmed, the card says how many lines are lost instead. Who is in the room is each user once.
import { mkdirSync } from 'node:fs'
import { expect, it } from 'vitest'
import type { Page } from './browsers.js'
import { describeEach, openChat, picture, RESULTS, useDemo, waitForStatus } from './demo.js'

/** The room's lines as shown, top to bottom: `#offset text`, with `(recovered)` on replayed ones. */
function lines(page: Page): Promise<string[]> {
  return page.locator('#room-lines .room-line').evaluateAll((items) =>
    items.map((item) => {
      const { offset, recovered } = (item as HTMLElement).dataset
      if (!offset) return item.textContent ?? ''
      const text = item.querySelector('.room-text')?.textContent
      return `#${offset} ${text}${recovered === 'true' ? ' (recovered)' : ''}`
    }),
  )
}

/** Shortens the outage of the card's "cut the link" buttons. */
async function shortenOutages(page: Page, seconds: number): Promise<void> {
  await page.locator('#room-actions [data-seconds]').evaluateAll((buttons, s) => {
    for (const button of buttons) (button as HTMLElement).dataset.seconds = String(s)
  }, seconds)
}

async function openRoom(page: Page): Promise<void> {
  await page.locator('#room-state[data-status="joined"]').waitFor({ timeout: 20_000 })
}

describeEach('the demo page’s rooms', (browser) => {
  const SCREENSHOT = picture('demo-rooms-card', browser)
  const demo = useDemo('rooms', browser)

  it('shows what the server and the page publish, live', async () => {
    const page = await openChat(demo(), 'Ada')
    await openRoom(page)
    await page.click('[data-room-action="publish"]')
    await page.fill('#room-text', 'hi from Ada')
    await page.press('#room-text', 'Enter')
    await page.locator('.room-line[data-offset="4"]').waitFor()
    expect(await lines(page)).toEqual(['#1 line 1 of 3', '#2 line 2 of 3', '#3 line 3 of 3', '#4 hi from Ada'])
    await expect(page.locator('#room-state').textContent()).resolves.toBe('joined · live')
  })

  it('shows who is in the room: a user once, however many tabs it has open', async () => {
    const first = await openChat(demo(), 'Ada')
    await openRoom(first)
    const second = await openChat(demo(), 'Ada')
    await openRoom(second)
    const grace = await openChat(demo(), 'Grace')
    await openRoom(grace)
    for (const page of [first, second, grace]) {
      await page.locator('#room-here', { hasText: 'Here (2): ' }).waitFor({ timeout: 20_000 })
    }
    const names = (await first.locator('#room-here').textContent())?.replace(/^Here \(2\): /, '').split(', ')
    expect(names?.sort()).toEqual(['Ada', 'Grace'])
  })

  it('gets back the lines published while the link was down, once each, marked recovered', async () => {
    const page = await openChat(demo(), 'Ada')
    await openRoom(page)
    await page.click('[data-room-action="publish"]')
    await page.locator('.room-line[data-offset="3"]').waitFor()
    await shortenOutages(page, 1)

    await page.click('[data-room-action="miss"]')
    await page.locator('.room-line[data-offset="8"]').waitFor({ timeout: 30_000 })
    await waitForStatus(page, 'open')
    expect(await lines(page)).toEqual([
      '#1 line 1 of 3',
      '#2 line 2 of 3',
      '#3 line 3 of 3',
      '#4 line 1 of 5 (recovered)',
      '#5 line 2 of 5 (recovered)',
      '#6 line 3 of 5 (recovered)',
      '#7 line 4 of 5 (recovered)',
      '#8 line 5 of 5 (recovered)',
    ])
    await expect(page.locator('#room-state').textContent()).resolves.toBe('joined · recovered')
    await expect(page.locator('#room-gap').isHidden()).resolves.toBe(true)

    // After the replay, lines are live again.
    await page.click('[data-room-action="publish"]')
    await page.locator('.room-line[data-offset="11"]').waitFor()
    expect((await lines(page)).slice(-3)).toEqual(['#9 line 1 of 3', '#10 line 2 of 3', '#11 line 3 of 3'])
  })

  it('says how many lines are lost when the history was trimmed while the link was down', async () => {
    const page = await openChat(demo(), 'Ada')
    await openRoom(page)
    await page.click('[data-room-action="publish"]')
    await page.locator('.room-line[data-offset="3"]').waitFor()
    await shortenOutages(page, 1)

    await page.click('[data-room-action="lose"]')
    await page.locator('#room-gap:not([hidden])').waitFor({ timeout: 30_000 })
    await expect(page.locator('#room-gap').textContent()).resolves.toBe(
      '5 messages could not be recovered: the server’s history no longer reaches back (offsets 4–8).',
    )
    expect(await lines(page)).toEqual(['#1 line 1 of 3', '#2 line 2 of 3', '#3 line 3 of 3', '5 messages lost here'])
    await expect(page.locator('#room-state').textContent()).resolves.toBe('joined · live')

    // It goes on live from the top.
    await page.click('[data-room-action="publish"]')
    await page.locator('.room-line[data-offset="11"]').waitFor()
    expect((await lines(page)).at(-1)).toBe('#11 line 3 of 3')

    mkdirSync(RESULTS, { recursive: true })
    await page.locator('#rooms-card').screenshot({ path: SCREENSHOT })
    console.log(`screenshot of the demo's rooms: ${SCREENSHOT}`)
  })
})
