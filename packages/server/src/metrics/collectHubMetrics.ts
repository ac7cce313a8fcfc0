import { createRequire } from 'node:module'
import { type HubStats, LifelineServerError } from '@lifeline/server'
import type { Counter, Gauge, Registry } from 'prom-client'

/** What the metrics read: a hub, or anything else with its `stats()`. */
export interface StatsSource {
  /** The hub's counters, read at every scrape. */
  stats(): HubStats
}

/** Options of {@link collectHubMetrics}, named as prom-client's `collectDefaultMetrics` names its own. */
export interface HubMetricsOptions {
  /**
   * The prom-client registry the metrics join: the one your `/metrics` endpoint serves.
   * @default prom-client's global `register`
   */
  register?: Registry
  /**
   * Put before every metric's name.
   * @default 'lifeline_'
   */
  prefix?: string
  /**
   * Labels every series carries, with their values: tell two hubs of one process apart, e.g.
   * `{ hub: 'chat' }`.
   * @default {}
   */
  labels?: Record<string, string>
}

/** A counter or gauge, and how it reads its series from one `stats()`. */
interface Definition {
  name: string
  help: string
  type: 'counter' | 'gauge'
  /** The label that tells the series apart, if more than one. */
  label?: string
  /** The series: label value (or `''` for the only one) -> value. */
  read(stats: HubStats): Array<[string, number]>
}

const one =
  (key: keyof HubStats) =>
  (stats: HubStats): Array<[string, number]> => [['', stats[key] as number]]

const some =
  (keys: Record<string, keyof HubStats>) =>
  (stats: HubStats): Array<[string, number]> =>
    Object.entries(keys).map(([label, key]) => [label, stats[key] as number])

/** Every metric, as it maps onto `hub.stats()`. */
const DEFINITIONS: Definition[] = [
  {
    name: 'connections',
    help: 'Connections open now, by transport.',
    type: 'gauge',
    label: 'transport',
    read: (stats) => Object.entries(stats.transports),
  },
  {
    name: 'connections_opened_total',
    help: 'Connections accepted since the hub was attached.',
    type: 'counter',
    read: one('connections'),
  },
  {
    name: 'messages_received_total',
    help: 'Ordinary messages received from peers (not requests, replies or pings).',
    type: 'counter',
    read: one('messages'),
  },
  {
    name: 'frames_sent_total',
    help: 'Frames written to peers: messages, broadcasts and publications (one per peer reached), replies, requests and pongs.',
    type: 'counter',
    read: one('framesSent'),
  },
  { name: 'requests_total', help: 'Requests whose handler ran.', type: 'counter', read: one('requests') },
  {
    name: 'requests_deduplicated_total',
    help: 'Requests answered from the dedupe window, their handler not run again.',
    type: 'counter',
    read: one('duplicates'),
  },
  {
    name: 'requests_unhandled_total',
    help: 'Requests answered NO_HANDLER, and messages of an unknown $ type.',
    type: 'counter',
    read: one('unhandled'),
  },
  {
    name: 'unknown_replies_total',
    help: 'Replies from peers to no request the server is waiting for (late, repeated or made up).',
    type: 'counter',
    read: one('unknownReplies'),
  },
  {
    name: 'bad_frames_total',
    help: 'Frames ignored, by reason.',
    type: 'counter',
    label: 'reason',
    read: some({
      invalid_json: 'invalidJson',
      invalid_envelope: 'invalidEnvelope',
      oversize: 'oversize',
      too_deep: 'tooDeep',
    }),
  },
  {
    name: 'limits_hit_total',
    help: 'Frames, requests or peers stopped by a limit, by the option that set it.',
    type: 'counter',
    label: 'limit',
    read: some({
      maxMessageBytes: 'oversize',
      maxDepth: 'tooDeep',
      rateLimit: 'rateLimited',
      maxInFlight: 'busy',
      handlerTimeout: 'handlerTimeouts',
      highWaterMark: 'slowConsumers',
      claimTimeout: 'unavailable',
      origins: 'originRefused',
    }),
  },
  {
    name: 'peers_cut_total',
    help: 'Peers the server closed, by reason: slow_consumer (4008), rate_limit (4429), heartbeat (no pong).',
    type: 'counter',
    label: 'reason',
    read: some({ slow_consumer: 'slowConsumers', rate_limit: 'rateLimitCuts', heartbeat: 'deadPeers' }),
  },
  {
    name: 'channel_joins_total',
    help: "Joins answered with the channel's position.",
    type: 'counter',
    read: one('joins'),
  },
  {
    name: 'channel_replays_total',
    help: 'Joins that replayed one publication or more.',
    type: 'counter',
    read: one('replays'),
  },
  { name: 'channel_gaps_total', help: 'Joins answered with a gap.', type: 'counter', read: one('gaps') },
  {
    name: 'channel_publications_total',
    help: 'Publications made on this instance.',
    type: 'counter',
    read: one('publications'),
  },
  {
    name: 'adapter_errors_total',
    help: 'Adapter (Redis) operations that failed.',
    type: 'counter',
    read: one('adapterErrors'),
  },
  {
    name: 'broadcasts_lost_total',
    help: 'Broadcasts the adapter could not hand to the other instances.',
    type: 'counter',
    read: one('lostBroadcasts'),
  },
]

/** prom-client: an optional peer dependency, needed by this entry only. */
function loadPromClient(): typeof import('prom-client') {
  try {
    return createRequire(import.meta.url)('prom-client')
  } catch (cause) {
    throw new LifelineServerError(
      'INVALID_OPTIONS',
      '@lifeline/server/metrics needs prom-client, which is not installed: npm install prom-client',
      { cause },
    )
  }
}

/**
 * Exports a hub's counters as Prometheus metrics through prom-client: connections (open now, by
 * transport, and opened), messages received and frames sent, requests (run, deduplicated,
 * unhandled), replies to unknown ids, bad frames, the limits hit (by option), peers cut (slow
 * consumers among them), channel joins, replays, gaps and publications, and Redis errors, all
 * named `lifeline_…`. Nothing is counted twice: each metric reads `hub.stats()` when the
 * registry is scraped. Needs `prom-client` (an optional peer dependency: `npm install
 * prom-client`). Returns a function that takes the metrics out of the registry again.
 *
 * @throws `INVALID_OPTIONS` when prom-client is not installed, or a metric of the same name is
 *   in the registry already (a second hub needs its own `prefix` or registry).
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { register } from 'prom-client'
 * import { collectHubMetrics } from '@lifeline/server/metrics'
 *
 * collectHubMetrics(hub)
 * createServer(async (request, response) => {
 *   if (request.url !== '/metrics') return response.writeHead(404).end()
 *   response.setHeader('Content-Type', register.contentType)
 *   response.end(await register.metrics())
 * }).listen(9464)
 * ```
 */
export function collectHubMetrics(hub: StatsSource, options: HubMetricsOptions = {}): () => void {
  if (typeof hub?.stats !== 'function') {
    throw new LifelineServerError('INVALID_OPTIONS', 'collectHubMetrics() needs a hub (something with stats())')
  }
  const client = loadPromClient()
  const { register = client.register, prefix = 'lifeline_', labels = {} } = options
  const constant = Object.keys(labels)
  const names: string[] = []
  try {
    for (const definition of DEFINITIONS) {
      const name = `${prefix}${definition.name}`
      const labelNames = definition.label ? [...constant, definition.label] : constant
      const seriesOf = (stats: HubStats) =>
        definition.read(stats).map(([value, count]) => {
          const own = definition.label ? { ...labels, [definition.label]: value } : labels
          return [own, count] as const
        })
      if (register.getSingleMetric(name)) {
        throw new LifelineServerError('INVALID_OPTIONS', `the registry has a metric named ${name} already`)
      }
      names.push(name)
      if (definition.type === 'gauge') {
        new client.Gauge({
          name,
          help: definition.help,
          labelNames,
          registers: [register],
          collect(this: Gauge) {
            this.reset()
            for (const [series, count] of seriesOf(hub.stats())) this.set(series, count)
          },
        })
      } else {
        new client.Counter({
          name,
          help: definition.help,
          labelNames,
          registers: [register],
          // The hub's counts only grow: the series are set to them, as a counter's value.
          collect(this: Counter) {
            this.reset()
            for (const [series, count] of seriesOf(hub.stats())) this.inc(series, count)
          },
        })
      }
    }
  } catch (error) {
    for (const name of names) register.removeSingleMetric(name)
    throw error
  }
  return () => {
    for (const name of names) register.removeSingleMetric(name)
  }
}
