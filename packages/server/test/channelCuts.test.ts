// A link cut at every moment of a join (before its answer, in the middle of the replay, between
// the replay and live publications, during live ones): a client that rejoins with the last
// position it delivered gets every publication exactly once, in order. The cut is the client's
// own: it terminates its socket on a chosen frame, keeping nothing after it.
import type { Position } from '@lifeline/server'
import { describe, expect, it } from 'vitest'
import { type ChannelClient, channelClient, type Frame, isPublication } from './support/channelClient.js'
import { startHub } from './support/hub.js'

/** What a client has delivered, by the client's rules: each offset once, in order, nothing after a hole. */
interface Delivered {
  epoch: string
  offset: number
  values: unknown[]
  /** What broke the rules; nothing should. */
  faults: string[]
}

/** Applies the client's rules to one frame of `channel`. */
function deliver(state: Delivered, frame: Frame) {
  if (isPublication(frame)) {
    if (frame.e === state.epoch && frame.o <= state.offset) return // delivered already
    if (frame.e !== state.epoch || frame.o !== state.offset + 1) {
      return state.faults.push(`hole: ${frame.o} after ${state.offset}`)
    }
    state.offset = frame.o
    state.values.push(frame.data)
  } else if (typeof frame.re === 'string') {
    const data = frame.data as (Position & { recovered: boolean; gap?: unknown }) | undefined
    if (!data || data.gap) return state.faults.push(`join answered ${JSON.stringify(frame)}`)
    state.epoch = data.epoch
  }
}

/** The frames of one link: the join reply, the replay of 5, then 2 live. */
const FRAMES = 1 + 5 + 2

describe('a link cut while a channel is joined', () => {
  for (let cutAt = 0; cutAt <= FRAMES; cutAt++) {
    it(`delivers 1 to 8 exactly once, in order, when the link is cut after frame ${cutAt} of ${FRAMES}`, async () => {
      const { hub, url } = await startHub()
      // Missed while away, from the start of the channel.
      const { epoch } = await hub.publish('room:1', 1)
      for (let n = 2; n <= 5; n++) await hub.publish('room:1', n)
      const state: Delivered = { epoch, offset: 0, values: [], faults: [] }
      let live = false
      const publishLive = () => {
        if (live) return
        live = true
        hub.publish('room:1', 6)
        hub.publish('room:1', 7)
      }

      let received = 0
      const first = await channelClient(url, (frame, client) => {
        deliver(state, frame)
        if (typeof frame.re === 'string') publishLive() // published once the join is answered
        if (++received === cutAt) client.cut()
      })
      const joining = first.join('room:1', { epoch: state.epoch, offset: state.offset })
      if (cutAt === 0) first.cut()
      await joining.catch(() => {}) // a cut before the answer: no answer on this link
      if (cutAt < FRAMES) {
        await first.closed()
        publishLive()
      } else {
        await first.waitFor((frame) => frame.o === 7, 'the last live publication')
        first.cut()
      }

      // Back, with the last position delivered: the rest, then live again.
      const second: ChannelClient = await channelClient(url, (frame) => deliver(state, frame))
      await second.join('room:1', { epoch: state.epoch, offset: state.offset })
      await hub.publish('room:1', 8)
      await second.waitFor((frame) => frame.o === 8, 'publication 8')

      expect(state.faults).toEqual([])
      expect(state.values).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    })
  }
})
