// The leader's side of the protocol between tabs, driven by a tab that speaks it by hand.

import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SharedOptions } from '../tabs/connectShared.js'
import type { TabMessage } from '../tabs/protocol.js'
import { browser, serverOpens, settle } from './tabsHelpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
})

/** A leader tab on an open link, and a hand-driven tab on its channel that logs what it hears. */
async function leaderAndPeer(options: SharedOptions = {}) {
  const group = browser()
  const leader = group.open(options)
  await settle()
  const ws = await serverOpens()
  const channel = new (group.profile.tab().BroadcastChannel)('lifeline:wss://example.test/live')
  const heard: TabMessage[] = []
  channel.onmessage = ({ data }) => heard.push(data)
  const post = async (message: TabMessage) => {
    channel.postMessage(message)
    await settle()
  }
  const acks = () => heard.flatMap((m) => (m.k === 'a' && m.to === 'peer' ? [m.n] : []))
  return { leader, ws, channel, heard, post, acks }
}

const write = (n: number, a = 0) => ({ k: 'w', t: 'peer', n, a, f: `f${n}` }) as const

describe("the leader's side", () => {
  it("writes a tab's frames only in sequence, each once, and acknowledges each it wrote", async () => {
    const { leader, ws, post, acks, channel } = await leaderAndPeer()
    await post(write(2)) // frame 1 went to a leader that died: 2 waits for it
    expect(ws.sent).toEqual([])
    await post(write(1))
    await post(write(2))
    await post(write(2)) // again: written already
    await post(write(3))
    expect(ws.sent).toEqual(['f1', 'f2', 'f3'])
    expect(acks()).toEqual([1, 2, 3])
    channel.close()
    leader.socket.dispose()
  })

  it('starts from the last frame the tab says was acknowledged', async () => {
    const { leader, ws, post, channel } = await leaderAndPeer()
    await post(write(5, 3)) // 4 is missing
    await post(write(4, 3))
    await post(write(5, 3))
    expect(ws.sent).toEqual(['f4', 'f5'])
    channel.close()
    leader.socket.dispose()
  })

  it('acknowledges a frame that waited for the link once the link has taken it, and never one it dropped', async () => {
    const { leader, ws, post, acks, channel } = await leaderAndPeer()
    Object.assign(ws, { bufferedAmount: 2 * 1024 * 1024 }) // a full send buffer: frames wait
    await post(write(1))
    await post(write(2))
    await vi.advanceTimersByTimeAsync(100)
    expect(ws.sent).toEqual([])
    expect(acks()).toEqual([])
    Object.assign(ws, { bufferedAmount: 0 })
    await vi.advanceTimersByTimeAsync(100)
    await settle()
    expect(ws.sent).toEqual(['f1', 'f2'])
    // An acknowledgement covers every frame up to its number.
    expect(acks().at(-1)).toBe(2)
    // Waiting when the connection closes for good: dropped, so never acknowledged.
    Object.assign(ws, { bufferedAmount: 2 * 1024 * 1024 })
    await post(write(3))
    ws.serverClose(4401, 'unauthorized')
    await settle()
    expect(acks().at(-1)).toBe(2)
    channel.close()
    leader.socket.dispose()
  })

  it("acknowledges a frame only once the WebSocket's buffer has let it go: a crash loses what the buffer holds", async () => {
    const { leader, ws, post, acks, channel } = await leaderAndPeer()
    let buffered = 0
    Object.defineProperty(ws, 'bufferedAmount', { get: () => buffered })
    const send = ws.send.bind(ws)
    ws.send = (frame) => {
      buffered += String(frame).length
      send(frame)
    }
    await post(write(1))
    await post(write(2))
    expect(ws.sent).toEqual(['f1', 'f2'])
    await vi.advanceTimersByTimeAsync(100)
    expect(acks()).toEqual([]) // both still in the buffer
    buffered = 2 // the first frame left
    await vi.advanceTimersByTimeAsync(100)
    expect(acks()).toEqual([1])
    buffered = 0
    await vi.advanceTimersByTimeAsync(100)
    expect(acks()).toEqual([1, 2])
    channel.close()
    leader.socket.dispose()
  })

  it('writes again, first, what a link closed with still in its buffer, and never acknowledges it twice', async () => {
    const { leader, ws, post, acks, channel } = await leaderAndPeer()
    Object.defineProperty(ws, 'bufferedAmount', { get: () => (ws.sent.length ? 2 : 0) })
    await post(write(1))
    await post(write(2))
    expect(ws.sent).toEqual(['f1', 'f2'])
    ws.serverClose(1006)
    await settle()
    expect(acks()).toEqual([1]) // f2 never left
    await post(write(3, 1))
    await vi.advanceTimersByTimeAsync(5000)
    const next = await serverOpens()
    await settle()
    expect(next.sent).toEqual(['f2', 'f3'])
    expect(acks().at(-1)).toBe(3)
    channel.close()
    leader.socket.dispose()
  })

  it('keeps the order when a frame comes while the link is in doubt and the link then drops', async () => {
    const win = new EventTarget() // the leader's page, where `offline` fires
    const { leader, ws, post, acks, channel } = await leaderAndPeer({ browserEvents: win, heartbeat: true })
    Object.defineProperty(ws, 'bufferedAmount', { get: () => ws.sent.length * 2 }) // nothing leaves
    const frames = (link: FakeWebSocket) => link.sent.filter((f) => String(f).startsWith('f'))
    await post(write(1))
    expect(frames(ws)).toEqual(['f1'])
    win.dispatchEvent(new Event('offline')) // the link is in doubt until the server is heard from
    await post(write(2))
    await post(write(3))
    ws.serverClose(1006)
    await settle()
    await vi.advanceTimersByTimeAsync(5000)
    const next = await serverOpens()
    await settle()
    // f1 again (its fate is unknown), then the rest, in order.
    expect([...frames(ws), ...frames(next)]).toEqual(['f1', 'f1', 'f2', 'f3'])
    expect(acks().at(-1)).toBe(3)
    channel.close()
    leader.socket.dispose()
  })

  it('counts a tab that says hello until its presence lock is free, and sums its counts', async () => {
    const group = browser()
    const leader = group.open()
    await settle()
    await serverOpens()
    const peer = group.profile.tab()
    const channel = new peer.BroadcastChannel('lifeline:wss://example.test/live')
    let release = () => {}
    peer.locks.request('lifeline:wss://example.test/live:peer', {}, () => new Promise<void>((r) => (release = r)))
    await settle()
    channel.postMessage({ k: 'h', t: 'peer', q: 2, p: 1, h: [] })
    await settle()
    expect(leader.socket.getSnapshot()).toMatchObject({ tabs: 2, queued: 2, pending: 1 })
    release()
    await settle()
    expect(leader.socket.getSnapshot()).toMatchObject({ tabs: 1, queued: 0, pending: 0 })
    channel.close()
    leader.socket.dispose()
  })
})
