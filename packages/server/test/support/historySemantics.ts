// What every History promises, run against each implementation (memory, Redis): offsets go up by
// one, a replay is every entry after a position or a gap, never part of them.
import type { History } from '@lifeline/server'
import { describe, expect, it } from 'vitest'

/** Makes a started history keeping `size` entries per channel; stopped after the test by the caller. */
export type MakeHistory = (size: number) => Promise<History>

export function historySemantics(make: MakeHistory, channelName: () => string) {
  describe('history semantics', () => {
    it('gives a channel never seen an epoch at offset 0, the same on every read', async () => {
      const history = await make(10)
      const channel = channelName()
      const top = await history.top(channel)
      expect(top).toEqual({ epoch: expect.any(String), offset: 0 })
      expect(await history.top(channel)).toEqual(top)
    })

    it('numbers the publications of a channel 1, 2, 3 in one epoch, each channel apart', async () => {
      const history = await make(10)
      const [a, b] = [channelName(), channelName()]
      const { epoch } = await history.top(a)
      expect(await history.append(a, 'a1')).toEqual({ epoch, offset: 1 })
      expect(await history.append(a, 'a2')).toEqual({ epoch, offset: 2 })
      expect((await history.append(b, 'b1')).offset).toBe(1)
      expect(await history.top(a)).toEqual({ epoch, offset: 2 })
    })

    it('replays every entry after a position, in order, and nothing from the top', async () => {
      const history = await make(10)
      const channel = channelName()
      const start = await history.top(channel)
      for (const frame of ['f1', 'f2', 'f3']) await history.append(channel, frame)
      const top = { epoch: start.epoch, offset: 3 }
      expect(await history.since(channel, start, 10)).toEqual({
        gap: null,
        entries: [
          { offset: 1, frame: 'f1' },
          { offset: 2, frame: 'f2' },
          { offset: 3, frame: 'f3' },
        ],
        top,
      })
      expect(await history.since(channel, { ...start, offset: 2 }, 10)).toEqual({
        gap: null,
        entries: [{ offset: 3, frame: 'f3' }],
        top,
      })
      expect(await history.since(channel, top, 10)).toEqual({ gap: null, entries: [], top })
    })

    it('answers a gap, never part of the entries, when the history was trimmed past the position', async () => {
      const history = await make(3)
      const channel = channelName()
      const start = await history.top(channel)
      // Redis trims `MAXLEN ~` by whole nodes of its radix tree: enough entries that it must.
      for (let n = 1; n <= 300; n++) await history.append(channel, `f${n}`)
      const top = { epoch: start.epoch, offset: 300 }
      expect(await history.since(channel, start, 1000)).toEqual({ gap: 'trimmed', top })
      expect(await history.since(channel, { ...start, offset: 297 }, 1000)).toMatchObject({
        gap: null,
        entries: [{ offset: 298 }, { offset: 299 }, { offset: 300 }],
      })
    })

    it('answers a gap when more entries than the limit would be replayed', async () => {
      const history = await make(10)
      const channel = channelName()
      const start = await history.top(channel)
      for (const frame of ['f1', 'f2', 'f3']) await history.append(channel, frame)
      expect(await history.since(channel, start, 2)).toEqual({ gap: 'trimmed', top: { ...start, offset: 3 } })
      expect(await history.since(channel, { ...start, offset: 1 }, 2)).toMatchObject({ gap: null })
    })

    it('answers an epoch gap for a position of another epoch, or one ahead of the top', async () => {
      const history = await make(10)
      const channel = channelName()
      const { epoch } = await history.append(channel, 'f1')
      const top = { epoch, offset: 1 }
      expect(await history.since(channel, { epoch: 'other', offset: 0 }, 10)).toEqual({ gap: 'epoch', top })
      expect(await history.since(channel, { epoch, offset: 2 }, 10)).toEqual({ gap: 'epoch', top })
      expect(await history.since(channel, { epoch, offset: -1 }, 10)).toEqual({ gap: 'epoch', top })
    })
  })
}
