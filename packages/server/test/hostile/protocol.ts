// What the hostile-client tests and their server process say to each other over IPC.
import type { HubStats } from '@lifeline/server'

/** From the test to the server. */
export type Command =
  | { cmd: 'stats' }
  | { cmd: 'release'; id: string; value: unknown }
  | { cmd: 'broadcast'; count: number; bytes: number }
  | { cmd: 'close'; drain?: number; timeout?: number }
  | { cmd: 'stop' }

/** What the server measured of itself. */
export interface Measure {
  stats: HubStats
  /** Bytes after a full garbage collection. */
  heapUsed: number
  external: number
  arrayBuffers: number
  rss: number
  /** How many handlers ran, by type. */
  calls: Record<string, number>
  /** Handlers whose signal aborted. */
  aborted: number
  /** The most `abort` listeners on any peer's signal. */
  maxAbortListeners: number
  /** Listeners on the ws server's events. */
  serverListeners: number
  /** The process's active resources (sockets, timers, servers): `process.getActiveResourcesInfo()`. */
  resources: number
  /** The longest the event loop was blocked, in ms, since the server started. */
  maxLoopDelay: number
}

/** From the server to the test. */
export type Report =
  | { event: 'ready'; port: number }
  | { event: 'handling'; id: string; type: string }
  | { event: 'measure'; measure: Measure }
  | { event: 'broadcasted'; peakGrowth: number; sent: number }
  | { event: 'closed'; ms: number; closes: number[] }
  | { event: 'error'; code: string; message: string }
