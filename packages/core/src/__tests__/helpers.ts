import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { vi } from 'vitest'
import { connect } from '../connect.js'
import type { ConnectOptions } from '../options.js'
import type { MessageMap } from '../types.js'

/** `connect` against FakeWebSocket with browser events off, and a log of every event emitted. */
export function setup<In extends MessageMap<In> = Record<string, unknown>, Out = Record<string, unknown>>(
  options: ConnectOptions<In, Out> = {},
  url = 'wss://example.test/live',
) {
  const socket = connect<In, Out>(url, { WebSocket: FakeWebSocket, browserEvents: false, ...options })
  const events: Array<[string, unknown]> = []
  for (const type of ['open', 'close', 'error', 'reconnecting', 'drop', 'latency'] as const) {
    socket.on(type, (payload: unknown) => events.push([type, payload]))
  }
  const names = () => events.map(([type]) => type)
  return { socket, events, names, ws: () => FakeWebSocket.last }
}

/** Opens the newest fake socket and lets `onOpen` and the flush run. */
export async function openLink(): Promise<FakeWebSocket> {
  const ws = FakeWebSocket.last
  ws.serverOpen()
  await vi.advanceTimersByTimeAsync(0)
  return ws
}
