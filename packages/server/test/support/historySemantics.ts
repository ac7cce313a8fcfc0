// What every History promises, run against each implementation (memory, Redis): offsets go up by
// one, every append reaches every instance's host in offset order as a publication frame, and a
// replay is every entry after a position or a gap, never part of them.
import type { ChannelPublication, History } from '@lifeline/server'
import { describe, expect, it } from 'vitest'
import { until } from './hub.js'

/** Makes a started history keeping `size` entries per channel, delivering to `deliver`; stopped after the test by the caller. */
export type MakeHistory = (size: number, deliver?: (publication: ChannelPublication) => void) => Promise<History>

/** The publication frame of `data` (JSON text) at a position. */
export const frameOf = (channel: string, epoch: string, offset: number, data?: string) =>
  data === undefined
    ? JSON.stringify({ ch: channel, e: epoch, o: offset })
    : `{"ch":${JSON.stringify(channel)},"e":"${epoch}","o":${offset},"data":${data}}`

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
      expect(await history.append(a, '"a1"')).toEqual({ epoch, offset: 1 })
      expect(await history.append(a, '"a2"')).toEqual({ epoch, offset: 2 })
      expect((await history.append(b, '"b1"')).offset).toBe(1)
      expect(await history.top(a)).toEqual({ epoch, offset: 2 })
    })

    it('delivers every append as its publication frame, in offset order, with no data field when there is none', async () => {
      const delivered: ChannelPublication[] = []
      const history = await make(10, (publication) => delivered.push(publication))
      const channel = channelName()
      const appended = [
        await history.append(channel, '{"text":"hi"}'),
        await history.append(channel, undefined),
        await history.append(channel, '[1,"two"]'),
      ]
      const { epoch } = appended[0] as { epoch: string }
      await until(() => delivered.length === 3, 'three deliveries')
      expect(delivered).toEqual([
        { channel, epoch, offset: 1, frame: frameOf(channel, epoch, 1, '{"text":"hi"}') },
        { channel, epoch, offset: 2, frame: frameOf(channel, epoch, 2) },
        { channel, epoch, offset: 3, frame: frameOf(channel, epoch, 3, '[1,"two"]') },
      ])
      expect(JSON.parse((delivered[0] as ChannelPublication).frame)).toEqual({
        ch: channel,
        e: epoch,
        o: 1,
        data: { text: 'hi' },
      })
    })

    it('writes a channel name that needs escaping as JSON', async () => {
      const delivered: ChannelPublication[] = []
      const history = await make(10, (publication) => delivered.push(publication))
      const channel = `${channelName()} "quoted" \\ \n ünï`
      const { epoch } = await history.append(channel, '1')
      await until(() => delivered.length === 1, 'the delivery')
      expect(JSON.parse((delivered[0] as ChannelPublication).frame)).toEqual({ ch: channel, e: epoch, o: 1, data: 1 })
      expect(delivered[0]?.channel).toBe(channel)
    })

    it('replays every entry after a position, in order, and nothing from the top', async () => {
      const history = await make(10)
      const channel = channelName()
      const start = await history.top(channel)
      for (const data of ['"f1"', '"f2"', '"f3"']) await history.append(channel, data)
      const { epoch } = start
      const top = { epoch, offset: 3 }
      expect(await history.since(channel, start, 10)).toEqual({
        gap: null,
        entries: [
          { offset: 1, frame: frameOf(channel, epoch, 1, '"f1"') },
          { offset: 2, frame: frameOf(channel, epoch, 2, '"f2"') },
          { offset: 3, frame: frameOf(channel, epoch, 3, '"f3"') },
        ],
        top,
      })
      expect(await history.since(channel, { ...start, offset: 2 }, 10)).toEqual({
        gap: null,
        entries: [{ offset: 3, frame: frameOf(channel, epoch, 3, '"f3"') }],
        top,
      })
      expect(await history.since(channel, top, 10)).toEqual({ gap: null, entries: [], top })
    })

    it('answers a gap, never part of the entries, when the history was trimmed past the position', async () => {
      const history = await make(3)
      const channel = channelName()
      const start = await history.top(channel)
      // Redis trims `MAXLEN ~` by whole nodes of its radix tree: enough entries that it must.
      for (let n = 1; n <= 300; n++) await history.append(channel, String(n))
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
      for (const data of ['1', '2', '3']) await history.append(channel, data)
      expect(await history.since(channel, start, 2)).toEqual({ gap: 'trimmed', top: { ...start, offset: 3 } })
      expect(await history.since(channel, { ...start, offset: 1 }, 2)).toMatchObject({ gap: null })
    })

    it('answers an epoch gap for a position of another epoch, a trimmed gap for one ahead of the top', async () => {
      const history = await make(10)
      const channel = channelName()
      const { epoch } = await history.append(channel, '1')
      const top = { epoch, offset: 1 }
      expect(await history.since(channel, { epoch: 'other', offset: 0 }, 10)).toEqual({ gap: 'epoch', top })
      expect(await history.since(channel, { epoch: 'other', offset: 1 }, 10)).toEqual({ gap: 'epoch', top })
      expect(await history.since(channel, { epoch, offset: 2 }, 10)).toEqual({ gap: 'trimmed', top })
      expect(await history.since(channel, { epoch, offset: -1 }, 10)).toEqual({ gap: 'trimmed', top })
    })

    it('starts a channel reset in a new epoch at offset 0, without its entries; a position from before is an epoch gap', async () => {
      const history = await make(10)
      const [channel, other] = [channelName(), channelName()]
      const before = await history.append(channel, '1')
      await history.append(other, '1')
      const after = await history.reset(channel)
      expect(after).toEqual({ epoch: expect.any(String), offset: 0 })
      expect(after.epoch).not.toBe(before.epoch)
      expect(await history.top(channel)).toEqual(after)
      expect(await history.since(channel, before, 10)).toEqual({ gap: 'epoch', top: after })
      expect(await history.append(channel, '2')).toEqual({ epoch: after.epoch, offset: 1 })
      expect(await history.since(channel, after, 10)).toMatchObject({ gap: null, entries: [{ offset: 1 }] })
      expect((await history.top(other)).offset).toBe(1)
    })
  })
}
