// Every count and time limit of a run, in one place. QUICK=1 keeps a run under two minutes;
// the full run (medians of more runs, longer dead-link wait) stays under ten, on 2 cores.
export const QUICK = process.env.QUICK === '1'

/**
 * Lifeline's reconnect settings when none are given (packages/core/src/options.ts), for the simulated
 * long outage and the page's text; every scenario that connects runs the library's own defaults.
 */
export const LIFELINE_RECONNECT_DEFAULTS = { initialDelay: 1800, maxDelay: 3000, factor: 2, jitter: 'full' }

/** Heartbeat settings for the dead-link scenario: short, so a dead link shows within seconds. */
const FAST_HEARTBEAT = { interval: 2000, timeout: 2000 }

export const config = {
  mode: QUICK ? 'quick' : 'full',
  /** The whole run is abandoned (exit code 2) after this long. */
  hardLimitMs: QUICK ? 300_000 : 900_000,
  throughput: {
    runs: QUICK ? 3 : 7,
    messages: QUICK ? 60_000 : 100_000,
    // Slices of 10,000 echoes: long enough that each slice ratio means something.
    chunks: QUICK ? 6 : 10,
    warmup: 10_000,
    window: 100,
    timeout: 60_000,
  },
  herd: {
    clients: 500,
    downtime: 500,
    timeout: QUICK ? 12_000 : 20_000,
    // Same first and largest delay for every library; each keeps its own growth and jitter.
    equalised: QUICK ? null : { initialDelay: 1000, maxDelay: 10_000 },
  },
  /**
   * Ordinary outages: `clients` clients per library per outage, every server killed at once and
   * back after each of `outages` ms; a client not back `backWithin` ms after its server's return
   * counts as not back.
   */
  outage: { clients: QUICK ? 30 : 100, outages: [5000, 10_000, 30_000], connectTimeout: 15_000, backWithin: 60_000 },
  /** A herd through a long outage, on a simulated clock: refused attempts fail after `refuseMs`. */
  longOutage: { clients: 1000, downtime: 600_000, refuseMs: 1 },
  deadLink: {
    limit: QUICK ? 10_000 : 40_000,
    copies: QUICK ? 3 : 5,
    fastHeartbeat: FAST_HEARTBEAT,
    // Lifeline's defaults (ping after 25 s of silence, 10 s to answer) need the full run's 40 s.
    defaultHeartbeat: !QUICK,
  },
  offlineFlush: { count: 1000, downtime: 500, limit: 15_000, grace: 1500 },
  overhead: { count: QUICK ? 100_000 : 200_000, repeats: QUICK ? 5 : 9 },
  leaks: { cycles: 1000, warmup: QUICK ? 300 : 1000, settle: 3000 },
  /** Quick runs bundle with rollup + terser only what the comparison table needs (esbuild: every entry). */
  size: {
    rollupOnly: QUICK
      ? ['lifeline', 'lifeline-raw', 'lifeline-channels', 'reconnecting-websocket', 'partysocket', 'partysocket-ws']
      : null,
  },
  /** Tabs of one Chromium profile, with connectShared and with connect in every tab. */
  tabs: { counts: QUICK ? [1, 3] : [1, 3, 10] },
  /** Request/reply round trips: `sequential` timed one by one and `pipelined` with `window` in flight, per slice. */
  /** The HTTP fallback against a WebSocket and socket.io's long polling: echoes/s and round trips. */
  fallback: {
    runs: QUICK ? 2 : 4,
    messages: QUICK ? 5000 : 20_000,
    window: 100,
    sequential: QUICK ? 200 : 500,
    timeout: 60_000,
  },
  requests: {
    runs: QUICK ? 2 : 3,
    chunks: QUICK ? 3 : 6,
    sequential: QUICK ? 150 : 300,
    // 20,000 a slice (about half a second): with 5,000, a good part of one client's garbage was
    // collected in the next client's slice (Lifeline's, mostly, which makes the most).
    pipelined: QUICK ? 5000 : 20_000,
    window: 100,
    warmup: 2000,
    timeout: 60_000,
    /**
     * PIN=1: the client process on core 0, the server child on core 1, instead of wherever the
     * scheduler puts them. Steadier on an idle machine; on a busy one it keeps each process from
     * the core that is free, so it is off unless asked for.
     */
    pin: process.env.PIN === '1',
  },
  /**
   * Requests through a server that cuts every connection every `flapMs` ms: `requests` of them with
   * `window` in flight, and as many at an even pace over `paceMs`; `runs` of each, a fresh server
   * for every run. `reconnect`: the client's delays (full jitter under a cap of 10 ms, doubling to
   * 50 ms). `limit`: how long a run may take before what is unsettled counts as lost.
   */
  flapping: {
    requests: 10_000,
    window: 100,
    paceMs: 2000,
    flapMs: 200,
    /** The first cut of a run, this long after its first request (then every `flapMs`). */
    firstCutMs: 50,
    reconnect: { initialDelay: 10, maxDelay: 50 },
    runs: QUICK ? 1 : 3,
    limit: 30_000,
  },
  /**
   * Channels under chaos: `count` publications at `rate`/s into one channel (Lifeline) or room
   * (socket.io with connection state recovery), the client's link cut through a proxy after every
   * `cutEvery`-th publication (every 200 ms at 2,000/s); each client with its default reconnect
   * delays and with 10–50 ms ones (`variants`), `runs` of each. After the last publication the
   * client has `settleMs` to catch up (done early once it is in its channel and nothing came for
   * `quietMs`). The first drop (socket.io#5538): `missed` publications while away, then `live`.
   * `historySize`: Lifeline's history per channel, more than `count`.
   */
  channelsChaos: {
    count: QUICK ? 2000 : 10_000,
    rate: 2000,
    cutEvery: 400,
    historySize: 20_000,
    variants: [
      { name: 'fast', fast: true },
      { name: 'default', fast: false },
    ],
    runs: QUICK ? 1 : 2,
    quietMs: 1000,
    settleMs: QUICK ? 8000 : 15_000,
    missed: 100,
    live: 10,
  },
  /**
   * Fan-out: `subscribers` clients in one channel or room of one server process, connected
   * `connectBatch` at a time. Per slice, `perSlice` publications, `burst` per call to the server
   * child, each in its own turn of the event loop (`turns`) or all of a burst in one; `chunks`
   * slices per shape and library, after `warmup` publications. `timeout`: the longest a burst may
   * take to reach every subscriber.
   */
  channelsFanout: {
    subscribers: 1000,
    connectBatch: 50,
    shapes: [
      { name: 'per-turn', burst: 20, turns: true, perSlice: QUICK ? 20 : 40 },
      { name: 'one-turn', burst: 50, turns: false, perSlice: QUICK ? 50 : 100 },
    ],
    warmup: 20,
    chunks: QUICK ? 2 : 4,
    historySize: 1000,
    timeout: 60_000,
  },
  /**
   * Time to recover: `missed` publications made while the client is away, `rounds` of each count;
   * `limit`: how long after the return the last one may take before the round counts as not recovered.
   */
  /**
   * Presence in a room of `members` (each connection a member): `listeners` of them (list) or all
   * (count) told of changes; `joins` more join `spacingMs` apart, then leave. `batch`: members
   * connected at a time.
   */
  presence: {
    members: QUICK ? 2000 : 10_000,
    listeners: QUICK ? 200 : 1000,
    batch: 200,
    joins: QUICK ? 20 : 50,
    spacingMs: 60,
  },
  channelsRecovery: { missed: [100, 1000], rounds: QUICK ? 3 : 7, historySize: 20_000, limit: 10_000, pauseMs: 100 },
  /** Sleep and resume in Chromium and Firefox: each case `runs` times, asleep `sleepMs` each time. */
  resume: { runs: QUICK ? 1 : 3, sleepMs: 5000 },
  /**
   * The server's defences (scenarios/defences.mjs). `flood`: `messages` small messages from one peer
   * while a quiet peer makes requests one at a time, `quietRate` a second at most (`quietRequests`
   * first without the flood), with
   * the default rate limit and without one. `slowConsumer`: `megabytes` MB broadcast in frames of
   * `frameBytes` while one peer reads nothing. `drain`: `peers` clients moved from one server to
   * another by `hub.close({ drain })`, for each of `drains` (ms); `timeout`: how long after the
   * drain they may take to come back. `broadcast`: one small broadcast to `peers` peers, `runs` times
   * per server after `warmup`.
   */
  defences: {
    flood: {
      messages: 1_000_000,
      warmup: 200,
      quietRequests: QUICK ? 1000 : 3000,
      /** The quiet peer's requests per second at most: well within its own rate limit (1,000 messages/s). */
      quietRate: 500,
      /** Rounds of (quiet, flooded) per variant; the budget is the median of their p99 ratios. */
      rounds: QUICK ? 1 : 3,
      variants: [
        { name: 'default', label: 'default rate limit (1,000 messages/s per peer)', options: {} },
        { name: 'off', label: '`rateLimit: false`', options: { rateLimit: false } },
      ],
    },
    slowConsumer: { megabytes: 100, frameBytes: 65_536, highWaterMark: 4_194_304 },
    drain: { peers: QUICK ? 500 : 1000, drains: [0, 5000], timeout: 15_000 },
    broadcast: { peers: 5000, connectBatch: 100, bytes: 64, warmup: 3, runs: QUICK ? 10 : 30 },
  },
  /** Requests across a server restart: `rate`/s for `duration` ms, the server killed at `crashAt`. */
  restart: {
    rate: 200,
    duration: QUICK ? 2000 : 4000,
    crashAt: 1000,
    downtime: 500,
    /** The handler answers after this long, so requests are in flight when the server dies. */
    workMs: 50,
    /** How long after the last request its promises may still settle (the timeouts are 10 s). */
    settleWait: QUICK ? 6000 : 12_000,
  },
}

/** Lifeline's performance budgets, as numbers. */
export const budgets = {
  /** Lifeline with rawCodec: at least this share of raw ws msgs/s in the same run. */
  throughputRatio: 0.97,
  /** Lifeline's JSON codec: at least this share of ws + JSON.stringify/parse msgs/s (same noise margin). */
  jsonRatio: 0.95,
  /** "Heap flat": one leaked socket retains about 3 KB, allocator noise stays well under 1 KB. */
  heapBytesPerCycle: 1024,
  /** Request round trips/s with `window` in flight: Lifeline over socket.io's `emitWithAck`, and over bare ws by hand. */
  requestsVsSocketIo: 2,
  requestsVsWs: 0.9,
  /** The core IIFE (the CDN file, eventemitter3 included), minified and gzipped (level 9). */
  iifeGzipBytes: 9728,
  /** `import { connect } from '@lifeline/core'` bundled and minified by esbuild at target es2020, gzipped. */
  esbuildImportGzipBytes: 9728,
  /** The herd these limits are stated for: Lifeline with default settings. */
  herd: {
    clients: 500,
    downtimeMs: 500,
    /** Most completed handshakes in any 100 ms window, as a share of the clients. */
    peakShare: 0.1,
    /** Every client reopened at most this long after the server listens again. */
    backWithinMs: 5000,
    /** Median time from the drop to the reopen. */
    p50Ms: 1500,
  },
  /** Ordinary outages: Lifeline's median time back no later than socket.io's, for every outage length. */
  outageMedianVsSocketIo: 1,
  /**
   * The long outage's herd (simulated): the same peak share as the herd's, in any 100 ms during the
   * outage and after the return, and a median time back no later than socket.io's in the same simulation.
   */
  longOutage: { peakShare: 0.1 },
  /** The server's defences. */
  defences: {
    /** A quiet peer's request p99 while another floods (default rate limit), at most this many times its p99 alone. */
    floodP99Ratio: 2,
  },
  channels: {
    /** Fan-out publications/s to 1,000 subscribers, Lifeline over socket.io rooms, in each shape. */
    fanoutVsSocketIo: 1.5,
    /** What `@lifeline/core/channels` adds to the core, min+gzip: as esbuild bundles the import, and the CDN file. */
    addedGzipBytes: 1536,
  },
}
