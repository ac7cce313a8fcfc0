// The HTTP fallback's section of the benchmarks page.
import { fixed, int, ratio, table } from './format.mjs'

/** The section from the fallback scenario's results. */
export function fallbackSection(fallback) {
  const { runs, messages, window, sequential } = fallback.config
  const find = (name) => fallback.results.find((r) => r.name === name)
  const [websocket, http, polling] = ['websocket', 'http', 'socket.io-polling'].map(find)
  const rows = fallback.results.map((r) => [
    r.label,
    int(r.messagesPerSec),
    ratio(r.messagesPerSec / websocket.messagesPerSec),
    `${fixed(r.latency.p50)} ms`,
    `${fixed(r.latency.p99)} ms`,
  ])
  return [
    '## The HTTP fallback',
    '',
    `Lifeline over a WebSocket, Lifeline over \`FallbackWebSocket\` with \`transport: 'http'\` (server-sent events`,
    "down, POSTs up) and socket.io-client with `transports: ['polling']`, each against its own server in a child",
    `process, taking turns run by run (${runs} runs). Echoes/s: ${int(messages)} echoes with ${window} in flight;`,
    `round trips: ${int(sequential)} requests (socket.io: acks) one at a time. \`bench/scenarios/fallback.mjs\`.`,
    '',
    table(['Client', 'Echoes/s (median)', 'vs the WebSocket', 'Round trip p50', 'Round trip p99'], rows),
    '',
    `Over HTTP, Lifeline carries ${ratio(http.messagesPerSec / polling.messagesPerSec)} the echoes of socket.io's long`,
    `polling, at ${ratio(http.messagesPerSec / websocket.messagesPerSec)} those of its own WebSocket. When and how the`,
    'fallback kicks in: [the fallback guide](fallback.md).',
  ].join('\n')
}
