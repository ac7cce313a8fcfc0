import { afterEach, describe, expect, it } from 'vitest'
import type { SendResult } from '../../src/index.js'
import {
  type Chat,
  countingWebSocket,
  eventNames,
  FAST_HEARTBEAT,
  nextEvent,
  payloadsOf,
  Resources,
  recordEvents,
  seqs,
  untilSnapshot,
  untilStatus,
} from '../support/client.js'
import { FaultyNetwork, sleep, strictlyIncreasing } from '../support/faults.js'
import { chaosSeed, mulberry32 } from '../support/random.js'

const resources = new Resources()
afterEach(() => resources.dispose())

interface Stream extends Chat {
  done: undefined
}

/** Messages in the stream. */
const TOTAL = 5000
/** Faults injected during it. */
const FAULTS = 15
/** How long the app takes to send the stream, at an even pace. */
const STREAM_MS = 3000

type Fault = 'cut' | 'blackhole'

describe('a seeded chaos run', () => {
  it('of cuts and black holes during a stream of 5,000 numbered messages: every message queued while disconnected arrives exactly once, and all arrive at most once, in order', async ({
    onTestFailed,
  }) => {
    const seed = chaosSeed()
    const faults: Fault[] = []
    const timeline: string[] = []
    onTestFailed(() => {
      console.error([`chaos seed ${seed}; replay with LIFELINE_CHAOS_SEED=${seed}`, ...timeline.slice(-60)].join('\n'))
    })
    const random = mulberry32(seed)
    const network = await FaultyNetwork.start(resources)
    const { server } = network
    let highestArrived = -1
    // Received, not echoed: the client hears only pongs, so a silent route shows at once.
    server.onMessage = (message) => {
      if (message.type !== 'chat') return undefined
      highestArrived = (message.data as { seq: number }).seq
      return true
    }
    const { WebSocket, stats } = countingWebSocket()
    const socket = resources.connect<Chat, Stream>(network.url(), {
      WebSocket,
      reconnect: { initialDelay: 10, maxDelay: 50 },
      heartbeat: FAST_HEARTBEAT,
      // Room for the whole stream: what is tested here is the link, not overflow (see queue.test.ts).
      queue: { maxMessages: TOTAL },
    })
    const log = recordEvents(socket)
    const results: SendResult[] = []
    const startedAt = Date.now()
    const note = (what: string) =>
      timeline.push(`${Date.now() - startedAt} ms: ${what} (sent ${results.length}, arrived up to ${highestArrived})`)

    // Which queued messages each link carried. A link that dies on its own (a starved event loop
    // can miss a heartbeat deadline) may lose what it was still flushing: no acks, by design.
    // Injected faults never hit a flush in flight, so only those blocks are excused, to at most once.
    let injected = false
    let flushedUpTo = -1
    let block: [number, number] = [0, -1]
    const atRisk = new Set<number>()
    socket.on('open', () => {
      const last = results.lastIndexOf('queued')
      block = [flushedUpTo + 1, last]
      flushedUpTo = Math.max(flushedUpTo, last)
      note(`open, flushed ${block[0]}..${block[1]}`)
    })
    socket.on('close', () => {
      if (!injected && highestArrived < block[1]) {
        for (let seq = block[0]; seq <= block[1]; seq++) if (results[seq] === 'queued') atRisk.add(seq)
      }
      note(`close${injected ? '' : ' on its own'}`)
      injected = false
    })
    socket.on('error', (error) => note(`error ${error.code}: ${error.message}`))
    await nextEvent(socket, 'open')

    // The app: numbered messages at an even pace, whatever the link is doing.
    const sending = (async () => {
      while (results.length < TOTAL) {
        const due = Math.min(TOTAL, Math.ceil(((Date.now() - startedAt) / STREAM_MS) * TOTAL))
        while (results.length < due) results.push(socket.send('chat', { text: 'chaos', seq: results.length }))
        await sleep(1)
      }
    })()
    /** The last queued message that must arrive: flushed onto a link that did not die on its own. */
    const lastOwed = () => {
      for (let seq = results.length - 1; seq >= 0; seq--) if (results[seq] === 'queued' && !atRisk.has(seq)) return seq
      return -1
    }
    /** Resolves on an open link that has delivered everything queued so far; a fault made in the same turn cannot catch a flush in flight. */
    const settled = async () => {
      for (;;) {
        await untilStatus(socket, 'open')
        const owed = lastOwed()
        await server.until(() => highestArrived >= owed, `queued message ${owed} to arrive`)
        if (
          socket.getSnapshot().status === 'open' &&
          lastOwed() === owed &&
          results.lastIndexOf('queued') <= flushedUpTo
        )
          return
      }
    }

    // The network: a fault on a live link, noticed, recovered from, 15 times.
    while (faults.length < FAULTS) {
      await untilStatus(socket, 'open')
      await sleep(20 + Math.floor(random() * 100))
      await settled()
      const fault: Fault = random() < 0.5 ? 'cut' : 'blackhole'
      faults.push(fault)
      injected = true
      note(fault)
      const noticed = untilSnapshot(socket, (s) => s.status !== 'open', `the ${fault} to be noticed`)
      if (fault === 'cut') network.cut()
      else network.blackhole()
      await noticed
    }
    await sending
    await settled()
    expect(socket.send('done')).toBe('sent')
    await server.until(() => server.messagesOf('done').length === 1, 'the end of the stream')

    const arrived = seqs(server.messagesOf('chat'))
    const queued = results.flatMap((result, seq) => (result === 'queued' ? [seq] : []))
    const delivered = new Set(arrived)
    note(`${queued.length} queued, ${atRisk.size} of them on links that died on their own`)
    expect(results).toHaveLength(TOTAL)
    expect(strictlyIncreasing(arrived)).toBe(true) // in order, none twice
    expect(queued.filter((seq) => !delivered.has(seq) && !atRisk.has(seq))).toEqual([]) // every queued one arrived
    expect(queued.length - atRisk.size).toBeGreaterThan(0)
    expect(results.filter((result) => result === 'dropped')).toEqual([])
    expect(payloadsOf(log, 'drop')).toEqual([])
    expect(stats.maxLive).toBe(1)
    // Every link ended as a dropped link (a black hole noticed by the heartbeat, a reset at once),
    // at least once per fault; a link that died on its own was replaced like any other.
    const closes = payloadsOf(log, 'close')
    expect(closes.length).toBeGreaterThanOrEqual(FAULTS)
    expect(new Set(closes.map((close) => JSON.stringify(close)))).toEqual(
      new Set([JSON.stringify({ code: 1006, reason: '', wasClean: false, willReconnect: true })]),
    )
    const errors = eventNames(log).filter((name) => name.startsWith('error'))
    expect(errors.filter((name) => name !== 'error:HEARTBEAT_TIMEOUT')).toEqual([])
    expect(errors.length).toBeGreaterThanOrEqual(faults.filter((fault) => fault === 'blackhole').length)
    expect(stats.created).toBe(closes.length + 1)
  })
})
