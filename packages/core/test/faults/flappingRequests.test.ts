import { afterEach, describe, expect, it } from 'vitest'
import { isLifelineError } from '../../src/index.js'
import { countingWebSocket, FAST_HEARTBEAT, nextEvent, payloadsOf, Resources, recordEvents } from '../support/client.js'
import { FaultyNetwork, sleep, within } from '../support/faults.js'
import { chaosSeed, mulberry32 } from '../support/random.js'
import type { ServerConnection } from '../support/server.js'

const resources = new Resources()
afterEach(() => resources.dispose())

interface Work {
  work: { n: number }
}
interface Replies {
  work: { n: number; doubled: number }
}

/** Requests in the run. */
const TOTAL = 10_000
/** How long the app takes to make them, at an even pace. */
const SEND_MS = 2000
/** Every link is dropped about this long after the server accepted it (from half to one and a half times). */
const LINK_LIFE_MS = 200
/** One in this many requests is made with `resend: false`. */
const AT_MOST_ONCE_EVERY = 10
/** The run replays exactly from its seed; `LIFELINE_CHAOS_SEED` picks another one. */
const SEED = process.env.LIFELINE_CHAOS_SEED ? chaosSeed() : 0x5eed_2010

/**
 * How a link is dropped, each in turn: a reset in the network, a route that goes silent (only the
 * heartbeat notices), the server cutting it, a server restart.
 */
type Fault = 'cut' | 'blackhole' | 'terminate' | 'close 1012'
const FAULTS: readonly Fault[] = ['cut', 'blackhole', 'terminate', 'close 1012']

type Outcome = { value: Replies['work'] } | { code: string }

describe('10,000 requests through a server that drops every link every 200 ms', () => {
  it('settles every request exactly once: resent ones all answered, with the handler run once per id; none lost silently', async ({
    onTestFailed,
  }) => {
    const timeline: string[] = []
    const startedAt = Date.now()
    const note = (what: string) => timeline.push(`${Date.now() - startedAt} ms: ${what}`)
    onTestFailed(() => {
      console.error([`seed ${SEED}; replay with LIFELINE_CHAOS_SEED=${SEED}`, ...timeline.slice(-40)].join('\n'))
    })
    // Two streams, so which requests are at-most-once and when links die do not depend on each other.
    const random = mulberry32(SEED)
    const faultRandom = mulberry32(SEED ^ 0xfa17)
    const network = await FaultyNetwork.start(resources)
    const { server } = network

    // The server answers from its handler once per id; a resent copy gets the first reply (see respond()).
    server.respond('work', (data) => {
      const { n } = data as Work['work']
      return { n, doubled: n * 2 }
    })
    // Every link is dropped LINK_LIFE_MS (± half) after it was accepted, at a time the seed picks.
    const faultTimers = new Set<ReturnType<typeof setTimeout>>()
    const faults: Fault[] = []
    let flapping = true
    server.onConnection = (connection: ServerConnection) => {
      const timer = setTimeout(
        () => {
          faultTimers.delete(timer)
          if (!flapping || !connection.isOpen) return
          // By count, not by link: a link that died on its own (a starved loop can miss a heartbeat) skips no kind.
          const fault = FAULTS[faults.length % FAULTS.length] as Fault
          faults.push(fault)
          note(`${fault} link ${connection.id}`)
          if (fault === 'cut') network.cut()
          else if (fault === 'terminate') connection.ws.terminate()
          else if (fault === 'close 1012') connection.ws.close(1012, 'restart')
          else network.blackhole()
        },
        LINK_LIFE_MS * (0.5 + faultRandom()),
      )
      faultTimers.add(timer)
    }

    const { WebSocket, stats } = countingWebSocket()
    const socket = resources.connect<Record<string, unknown>, Work, Replies>(network.url(), {
      WebSocket,
      reconnect: { initialDelay: 10, maxDelay: 50 },
      heartbeat: FAST_HEARTBEAT,
      // Room for everything made while a link is down: overflow is not what is tested here.
      queue: { maxMessages: TOTAL },
    })
    const log = recordEvents(socket)
    const messages: unknown[] = []
    socket.on('message', (message) => messages.push(message))
    socket.on('error', (error) => note(`error ${error.code}`))
    await nextEvent(socket, 'open')

    const atMostOnce = new Set<number>()
    const outcomes = new Map<number, Outcome>()
    const settle = (n: number, outcome: Outcome) => outcomes.set(n, outcome)
    const requests: Array<Promise<unknown>> = []
    while (requests.length < TOTAL) {
      const due = Math.min(TOTAL, Math.ceil(((Date.now() - startedAt) / SEND_MS) * TOTAL))
      while (requests.length < due) {
        const n = requests.length
        const resend = random() * AT_MOST_ONCE_EVERY >= 1
        if (!resend) atMostOnce.add(n)
        const request = socket.request('work', { n }, { timeout: Number.POSITIVE_INFINITY, resend }).then(
          (value) => settle(n, { value }),
          (error: unknown) => settle(n, { code: isLifelineError(error) ? error.code : String(error) }),
        )
        requests.push(request)
      }
      await sleep(1)
    }
    note('all requests made')
    const unsettled = () =>
      `${TOTAL - outcomes.size} unsettled, e.g. ${[...Array(TOTAL).keys()].find((n) => !outcomes.has(n))}`
    await within(Promise.all(requests), `every request to settle (${unsettled()} when the wait began)`, 15_000).catch(
      (error: Error) => {
        throw new Error(`${error.message}; ${unsettled()} now`)
      },
    )
    flapping = false
    for (const timer of faultTimers) clearTimeout(timer)
    note(`all settled, ${faults.length} faults`)

    // Settled, each with its own reply: nothing lost, nothing crossed.
    expect(outcomes.size).toBe(TOTAL)
    const wrong: string[] = []
    const lost: number[] = []
    for (const [n, outcome] of outcomes) {
      if (outcome && 'value' in outcome) {
        if (outcome.value.n !== n || outcome.value.doubled !== 2 * n)
          wrong.push(`${n}: ${JSON.stringify(outcome.value)}`)
      } else if (atMostOnce.has(n) && outcome.code === 'REQUEST_LOST') lost.push(n)
      else wrong.push(`${n}: ${outcome.code}`)
    }
    expect(wrong).toEqual([]) // every resent request answered, with its own reply
    // At the server: resend: false ones arrived at most once.
    const copies = new Map<number, number>()
    for (const message of server.messagesOf('work')) {
      const { n } = message.data as Work['work']
      copies.set(n, (copies.get(n) ?? 0) + 1)
    }
    // One id per request, kept by its resends: the server handled as many ids as requests reached it.
    expect(server.handled.size).toBe(copies.size)
    expect([...atMostOnce].filter((n) => (copies.get(n) ?? 0) > 1)).toEqual([])
    const resent = [...copies.values()].reduce((sum, count) => sum + count - 1, 0)
    note(`${stats.created} links, ${resent} copies resent, ${lost.length} at-most-once requests lost with their link`)

    expect(new Set(faults)).toEqual(new Set(FAULTS)) // every kind of fault, at least once
    expect(lost.length).toBeGreaterThan(0) // faults hit requests in flight (at least those written into the black hole)
    expect(stats.maxLive).toBe(1)
    expect(payloadsOf(log, 'drop')).toEqual([])
    expect(messages).toEqual([]) // no reply was delivered as a message
    expect(socket.getSnapshot()).toMatchObject({ pending: 0, queued: 0 })
  })
})
