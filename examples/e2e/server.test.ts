// The demo server's /live endpoint from a Node client (no browser): the getTime request the demo
// page can call, answered, delayed, failed, and resent after a crash without running twice.
import { connect, type Socket } from '@lifeline/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { type DemoServer, startDemoServer } from '../server/server.js'

interface Outgoing {
  getTime: { delay?: number; fail?: boolean | string } | undefined
}
interface Replies {
  getTime: { now: number; count: number }
}

let demo: DemoServer
let socket: Socket<{}, Outgoing, Replies>

beforeEach(async () => {
  demo = await startDemoServer({ port: 0 })
  socket = connect<{}, Outgoing, Replies>(demo.wsUrl, {
    WebSocket,
    reconnect: { initialDelay: 10, maxDelay: 50, jitter: 'none' },
  })
  await new Promise((resolve) => socket.once('open', resolve))
})

afterEach(async () => {
  socket.dispose()
  await demo.close()
})

const control = async (name: string) => (await fetch(new URL(`/control/${name}`, demo.url))).json()

describe('the demo server getTime request', () => {
  it('answers with the time and how many times the handler ran', async () => {
    const before = Date.now()
    const first = await socket.request('getTime')
    expect(first.now).toBeGreaterThanOrEqual(before)
    expect(first.count).toBe(1)
    expect((await socket.request('getTime', { delay: 20 })).count).toBe(2)
  })

  it('answers fail with an error reply the client rejects as REQUEST_FAILED', async () => {
    await expect(socket.request('getTime', { fail: 'the clock broke' })).rejects.toMatchObject({
      code: 'REQUEST_FAILED',
      message: 'the clock broke',
      cause: { code: 'DEMO_FAILURE' },
    })
  })

  it('answers a request resent after a crash with its first reply; the handler ran once', async () => {
    const reply = socket.request('getTime', { delay: 300 })
    // Answered at once, and read after the slow one on the same link: the server has that one too.
    expect((await socket.request('getTime')).count).toBe(2)
    const reopened = new Promise((resolve) => socket.once('open', resolve))
    const crash = await fetch(new URL('/control/crash', demo.url), { method: 'POST' })
    expect(await crash.json()).toMatchObject({ ok: true, affected: 1 })
    await reopened
    expect((await reply).count).toBe(1)
    expect((await control('status')).requests).toEqual({ handled: 2, duplicates: 1 })
  })
})
