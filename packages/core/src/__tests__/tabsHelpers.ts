import { type FakeTab, fakeBrowser } from '@lifeline/test-support/fakeTabs'
import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { vi } from 'vitest'
import { connectShared, type SharedOptions, type SharedSocket } from '../tabs/connectShared.js'

export const URL = 'wss://example.test/live'

/** One tab: its socket, and a log of the events it emitted. */
export interface Tab {
  socket: SharedSocket
  fake: FakeTab
  events: Array<[string, unknown]>
  /** Payloads of the events of `type`. */
  of(type: string): unknown[]
  /** The tab crashes or is closed by the user: the browser frees its locks and closes its WebSocket. */
  kill(): void
  /** The tab's renderer crashes: as `kill()`, and what it posted to the other tabs and was not delivered is lost. */
  crash(): void
}

/** A browser profile with fake Web Locks and channels, and tabs running `connectShared` in it. */
export function browser(options: SharedOptions = {}) {
  const profile = fakeBrowser()
  const tabs: Tab[] = []
  const open = (extra: SharedOptions = {}): Tab => {
    const fake = profile.tab()
    const socket = connectShared(URL, {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      locks: fake.locks,
      BroadcastChannel: fake.BroadcastChannel,
      ...options,
      ...extra,
    })
    const events: Array<[string, unknown]> = []
    for (const type of ['open', 'close', 'error', 'reconnecting', 'drop', 'message', 'latency'] as const) {
      socket.on(type, (payload: unknown) => events.push([type, payload]))
    }
    const tab: Tab = {
      socket,
      fake,
      events,
      of: (type) => events.filter(([t]) => t === type).map(([, payload]) => payload),
      kill() {
        fake.kill()
        // What the page held is gone with it; nothing it does from now on reaches another tab.
        socket.dispose()
      },
      crash() {
        fake.crash()
        socket.dispose()
      },
    }
    tabs.push(tab)
    return tab
  }
  return { profile, tabs, open }
}

/**
 * Lets the messages, lock grants and flushes under way run: each hop is a task of its own, and a
 * 0 ms timer set while fake timers run waits 1 ms, so this advances 1 ms per hop (10 ms in all).
 */
export async function settle(hops = 10): Promise<void> {
  for (let i = 0; i < hops; i++) await vi.advanceTimersByTimeAsync(1)
}

/** The real WebSockets still open. */
export const links = () => FakeWebSocket.live()

/** Opens the newest WebSocket and lets the tabs hear of it. */
export async function serverOpens(): Promise<FakeWebSocket> {
  const ws = FakeWebSocket.last
  ws.serverOpen()
  await settle()
  return ws
}

/** The `data` of every frame `ws` received of `type`. */
export const received = (ws: FakeWebSocket, type?: string) =>
  (ws.messages as Array<{ type?: string; data?: unknown }>)
    .filter((m) => type === undefined || m.type === type)
    .map((m) => m.data)
