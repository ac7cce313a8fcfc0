// A publication's fan-out: framed once for every peer of the channel and written as the same bytes
// to each (`ws` connections without compression), or sent as text where a connection compresses;
// every peer receives exactly the frame the history keeps, whatever its length.
import type { AddressInfo } from 'node:net'
import { attach, type Position } from '@lifeline/server'
import { describe, expect, it } from 'vitest'
import * as ws from 'ws'
import WebSocket, { WebSocketServer } from 'ws'
import { prepareFrame } from '../src/preparedFrame.js'
import { type ChannelClient, channelClient, type Frame } from './support/channelClient.js'
import { onCleanup, startHub } from './support/hub.js'

/** Payloads whose frames take each header length: 7-bit, 16-bit and 64-bit lengths, and multi-byte UTF-8. */
const payloads = ['hi', 'é'.repeat(70), 'x'.repeat(200), '€'.repeat(30_000), 'y'.repeat(70_000)]

/** The frames of the channels protocol (replies and publications): a hub may say other things first. */
const channelFrames = (frames: Frame[]) => frames.filter((frame) => !('type' in frame))

/** Resolves once `client` has received `count` publications. */
const publications = (client: ChannelClient, count: number) =>
  client.waitFor(() => client.publications().length >= count, `${count} publications`)

async function joined(url: string, count: number): Promise<ChannelClient[]> {
  const clients = await Promise.all(Array.from({ length: count }, () => channelClient(url)))
  for (const client of clients) await client.join('room:1')
  return clients
}

describe('prepareFrame', () => {
  it('frames text as ws frames it: the same bytes for every length', async () => {
    const { frame } = (ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender
    for (const text of payloads) {
      const theirs = Buffer.concat(
        frame(Buffer.from(text), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false }),
      )
      expect(prepareFrame(text).bytes.equals(theirs)).toBe(true)
    }
  })
})

describe('a publication to many peers', () => {
  it('reaches every peer of the channel exactly as the history keeps it, whatever its length', async () => {
    const { hub, url } = await startHub({ maxMessageBytes: 1_000_000 })
    const clients = await joined(url, 5)
    const positions: Position[] = []
    for (const text of payloads) positions.push(await hub.publish('room:1', { text }))
    for (const client of clients) {
      await publications(client, payloads.length)
      expect(client.publications()).toEqual(
        payloads.map((text, i) => ({ ch: 'room:1', e: positions[i]?.epoch, o: positions[i]?.offset, data: { text } })),
      )
    }
  })

  it('is sent as text to a peer whose connection compresses, and as bytes to the others', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true })
    await new Promise((resolve) => wss.once('listening', resolve))
    const hub = attach(wss)
    onCleanup(async () => {
      await hub.close()
      await new Promise((resolve) => wss.close(resolve))
    })
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`
    const open = async (perMessageDeflate: boolean) => {
      const client = new WebSocket(url, { perMessageDeflate })
      onCleanup(() => client.terminate())
      const received: unknown[] = []
      client.on('message', (data) => received.push(...channelFrames([JSON.parse(String(data))])))
      /** Resolves once `n` frames have arrived. */
      const count = (n: number) =>
        new Promise<unknown[]>((resolve) => {
          const check = () => {
            if (received.length < n) return
            client.off('message', check)
            resolve(received)
          }
          client.on('message', check)
          check()
        })
      await new Promise((resolve) => client.once('open', resolve))
      client.send(JSON.stringify({ type: '$join', id: 'j1', data: { channel: 'room:1' } }))
      await count(1)
      return count
    }
    const clients = [await open(false), await open(true), await open(false)]
    expect([...wss.clients].map((peer) => peer.extensions)).toEqual(['', 'permessage-deflate', ''])

    const { epoch, offset } = await hub.publish('room:1', 'x'.repeat(2000))
    for (const count of clients) {
      const received = await count(2)
      expect(received[1]).toEqual({ ch: 'room:1', e: epoch, o: offset, data: 'x'.repeat(2000) })
    }
  })

  it('keeps each peer’s order with its replies and replays: a join, its replay, then live publications', async () => {
    const { hub, url } = await startHub()
    const [watcher] = await joined(url, 1)
    for (let n = 1; n <= 3; n++) await hub.publish('room:1', n)
    const late = await channelClient(url)
    const reply = await late.join('room:1', { epoch: (watcher as ChannelClient).publications()[0]?.e ?? '', offset: 0 })
    await hub.publish('room:1', 4)
    await publications(late, 4)
    expect(channelFrames(late.frames)[0]).toEqual(reply)
    expect(late.publications().map((p) => p.o)).toEqual([1, 2, 3, 4])
  })
})
