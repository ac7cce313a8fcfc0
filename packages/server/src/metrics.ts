/**
 * Prometheus metrics for `@lifeline/server`, through prom-client: a hub's counters, read from
 * `hub.stats()` at every scrape. Needs `prom-client` (an optional peer dependency: `npm install
 * prom-client`).
 *
 * @packageDocumentation
 */
export { collectHubMetrics, type HubMetricsOptions, type StatsSource } from './metrics/collectHubMetrics.js'
