import { type ConnectOptions, connect, type MessageMap } from '@lifeline/core'
import { FakeWebSocket, fakeWindow } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeAll, beforeEach, vi } from 'vitest'
import { createApp, createSSRApp, nextTick } from 'vue'

export { FakeWebSocket, fakeWindow }

export const URL_A = 'wss://example.test/a'
export const URL_B = 'wss://example.test/b'
export const URL_C = 'wss://example.test/c'

/** Messages the server sends in these tests. */
export interface Incoming {
  chat: { from: string; text: string }
  count: number
}
/** Messages the client sends in these tests. */
export interface Outgoing {
  chat: { text: string }
}

/** Fake timers and a fresh FakeWebSocket list for every test of the file. */
export function useFakes(): void {
  // Vue's development build starts a 3 s devtools timer when it creates a renderer; creating
  // both renderers now, under real timers, keeps `vi.getTimerCount()` about Lifeline alone.
  beforeAll(() => {
    createApp({ render: () => null }).mount(document.createElement('div'))
    createSSRApp({ render: () => null }).mount(document.createElement('div'))
  })
  beforeEach(() => {
    vi.useFakeTimers()
    FakeWebSocket.reset()
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.restoreAllMocks()
    vi.unstubAllGlobals()
  })
}

/** Options that make a socket talk to FakeWebSocket and ignore the page's window. */
export const fakeOptions = { WebSocket: FakeWebSocket, browserEvents: false } as const

/** A socket on FakeWebSocket, connecting at once unless told otherwise. */
export function fakeSocket<In extends MessageMap<In> = Incoming, Out = Outgoing>(
  options: ConnectOptions<In, Out> = {},
  url = URL_A,
) {
  return connect<In, Out>(url, { ...fakeOptions, ...options })
}

/**
 * Lets pending work run: Vue's watchers, then the core, which creates the WebSocket a microtask
 * after an attempt starts when the url is a function (as `useSocket(url)` passes it).
 */
export async function settle(): Promise<void> {
  await nextTick()
  await vi.advanceTimersByTimeAsync(0)
}

/** Opens the newest FakeWebSocket and lets the core finish opening. */
export async function openLink(): Promise<FakeWebSocket> {
  await settle()
  const ws = FakeWebSocket.last
  ws.serverOpen()
  await vi.advanceTimersByTimeAsync(0)
  return ws
}

/** Sends a JSON-envelope message from the server on the newest FakeWebSocket. */
export function serverSend(type: string, data?: unknown): void {
  FakeWebSocket.last.serverSend(data === undefined ? { type } : { type, data })
}
