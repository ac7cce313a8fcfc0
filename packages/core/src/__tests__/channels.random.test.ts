import { flush, type Sent } from '@lifeline/test-support/channelsHelpers'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { channel } from '../channels.js'
import type { JoinRequest } from '../protocol/channels.js'
import { openLink, setup } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A small seeded generator (mulberry32), so a failing seed can be replayed. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The server's side of the channels protocol for one channel, with a history of `size`
 * publications and faults on the live stream: publications lost between instances, sent twice,
 * or swapped with the next.
 */
function server(next: () => number, size: number) {
  let epochs = 1
  let epoch = 'e1'
  let top = 0
  const history = new Map<number, string>()
  /** Every publication ever made, by `epoch:offset`: what a delivery must match. */
  const made = new Map<string, string>()
  let joined = false
  let read = 0
  let held: object | null = null
  let ws: FakeWebSocket | undefined

  const frame = (o: number) => ({ ch: 'room', e: epoch, o, data: history.get(o) })
  const live = (o: number, faults: boolean) => {
    if (!ws || !joined) return
    const roll = faults ? next() : 1
    if (roll < 0.08) return // lost between instances
    if (held) {
      ws.serverSend(frame(o))
      ws.serverSend(held)
      held = null
      return
    }
    if (roll < 0.14) {
      held = frame(o) // goes out after the next one
      return
    }
    ws.serverSend(frame(o))
    if (roll < 0.2) ws.serverSend(frame(o)) // twice
  }

  return {
    made,
    get top() {
      return top
    },
    get epoch() {
      return epoch
    },
    /** The link is gone: nothing more goes out on it. */
    drop() {
      ws?.serverClose(1006)
      ws = undefined
    },
    link(socket: FakeWebSocket) {
      ws = socket
      joined = false
      read = 0
      held = null
    },
    append(faults: boolean) {
      top++
      const data = `${epoch}#${top}`
      history.set(top, data)
      history.delete(top - size)
      made.set(`${epoch}:${top}`, data)
      live(top, faults)
    },
    /** The history is lost: a new epoch, from offset 0. */
    reset() {
      epoch = `e${++epochs}`
      top = 0
      history.clear()
    },
    /** Answers what the client sent since the last call, in order, as the server would. */
    answer() {
      if (!ws) return
      const sent = ws.messages as Sent[]
      for (; read < sent.length; read++) {
        const message = sent[read] as Sent
        if (message.type === '$leave') joined = false
        if (message.type !== '$join') continue
        const { since } = message.data as JoinRequest
        joined = true
        held = null
        const data: Record<string, unknown> = { epoch, offset: top, recovered: false }
        let replay: number[] = []
        if (since && since.epoch !== epoch) data.gap = { reason: 'epoch', from: 1, to: top }
        else if (since && since.offset < top && !history.has(since.offset + 1)) {
          data.gap = { reason: 'trimmed', from: since.offset + 1, to: top }
        } else if (since) {
          data.recovered = true
          replay = Array.from({ length: top - since.offset }, (_, i) => since.offset + 1 + i)
        }
        ws.serverSend({ re: message.id, data })
        for (const o of replay) ws.serverSend(frame(o))
      }
    },
  }
}

type Seen =
  | { kind: 'message'; epoch: string; offset: number; data: string }
  | { kind: 'gap'; epoch: string; from: number; to: number }

/**
 * Checks what the handler saw: every payload is the one published at its position; each offset
 * follows the one before in its epoch; a gap names exactly the offsets skipped (from the next
 * expected one in the same epoch, from 1 in a new one), and what follows starts right after it.
 */
function check(seen: Seen[], made: Map<string, string>): void {
  let next: { epoch: string; offset: number } | null = null
  for (const event of seen) {
    if (event.kind === 'gap') {
      expect(event.from).toBe(next?.epoch === event.epoch ? next.offset : 1)
      next = { epoch: event.epoch, offset: event.to + 1 }
      continue
    }
    expect(made.get(`${event.epoch}:${event.offset}`)).toBe(event.data)
    if (next) expect(event).toMatchObject(next)
    next = { epoch: event.epoch, offset: event.offset + 1 }
  }
}

describe('channel: random cuts, losses, duplicates and reorders', () => {
  it('the handler sees each offset once, in order, or an exact gap; and catches up after the last link', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed)
      const sim = server(next, 6)
      const { socket } = setup({ heartbeat: false, requestTimeout: Number.POSITIVE_INFINITY })
      sim.link(await openLink())
      const room = channel<string>(socket, 'room')
      const seen: Seen[] = []
      room.on('message', (data, { epoch, offset }) => seen.push({ kind: 'message', epoch, offset, data }))
      room.on('gap', ({ from, to }) => {
        const epoch = room.getSnapshot().epoch ?? ''
        seen.push({ kind: 'gap', epoch, from, to })
      })
      sim.answer()
      await flush()

      for (let step = 0; step < 80; step++) {
        const roll = next()
        if (roll < 0.6) sim.append(true)
        else if (roll < 0.7) {
          for (let i = Math.floor(next() * 9); i > 0; i--) sim.append(true)
        } else if (roll < 0.85) {
          sim.drop()
          // Published while the client is away.
          for (let i = Math.floor(next() * 9); i > 0; i--) sim.append(false)
          await vi.advanceTimersByTimeAsync(5000)
          sim.link(await openLink())
        } else if (roll < 0.88) sim.reset()
        sim.answer()
        // Sometimes the answer's promise settles before the next frames, sometimes after.
        if (next() < 0.5) await flush()
        sim.answer()
      }

      // A last clean link: the client must end at the channel's top.
      sim.drop()
      await vi.advanceTimersByTimeAsync(5000)
      sim.link(await openLink())
      sim.answer()
      await flush()
      sim.append(false)
      sim.answer()
      await flush()

      check(seen, sim.made)
      expect(room.getSnapshot()).toMatchObject({ status: 'joined', epoch: sim.epoch, offset: sim.top })
      expect(seen.at(-1)).toMatchObject({ kind: 'message', epoch: sim.epoch, offset: sim.top })
      socket.dispose()
    }
  })
})
