// The server's defences section of docs/benchmarks.md: a flood's effect on a quiet peer, a slow
// consumer's memory, the drain herd, and one broadcast to 5,000 peers beside socket.io's.
import { budgets } from '../config.mjs'
import { fixed, int, table } from './format.mjs'

const loadText = (load) => (load ? `${fixed(load.before, 1)} before, ${fixed(load.after, 1)} after` : 'not recorded')
const mib = (bytes) => `${fixed(bytes / 1_048_576, 2)} MiB`
const msText = (n) => `${fixed(n, n < 10 ? 2 : 1)} ms`

/** A 100 ms histogram in half-second buckets, `0.5–1 s: 120`, the empty ones left out. */
function buckets(histogram) {
  const halves = new Map()
  for (const { from, count } of histogram) {
    const half = Math.floor(from / 500) * 500
    halves.set(half, (halves.get(half) ?? 0) + count)
  }
  return [...halves.entries()]
    .sort(([a], [b]) => a - b)
    .map(([from, count]) => `${from / 1000}–${(from + 500) / 1000} s: ${count}`)
    .join(' · ')
}

export function defencesSection(defences) {
  const { flood, slowConsumer: slow, drain, broadcast } = defences
  const floodRows = flood.map((r) => [
    r.label,
    r.rounds
      .map(
        (round) =>
          `${int(round.sent)} in ${int(round.floodMs)} ms${round.closeCode ? `, closed ${round.closeCode}` : ''}`,
      )
      .join('; '),
    `${msText(r.quiet.p50)} / ${msText(r.quiet.p99)}`,
    `${msText(r.flooded.p50)} / ${msText(r.flooded.p99)} (${int(r.flooded.count)} requests${r.errors ? `, **${int(r.errors)} error replies**` : ''})`,
    `${fixed(r.ratio, 2)}× (${r.rounds.map((round) => fixed(round.ratio, 2)).join(', ')})`,
    int(r.rateLimited),
  ])
  const drainRows = drain.map((r) => [
    r.drain ? `\`hub.close({ drain: ${int(r.drain)} })\`` : '`hub.close()` (all at once)',
    `${int(r.handshakes)}/${int(r.peers)}`,
    `${int(r.peakPer100ms)} (${fixed((r.peakPer100ms / r.peers) * 100, 1)}%)`,
    `${int(r.p50Ms)} ms`,
    `${int(r.lastMs)} ms`,
    buckets(r.histogram),
  ])
  const [ours, theirs] = ['lifeline', 'socket.io'].map((name) => broadcast.find((r) => r.name === name))
  const broadcastRows = broadcast.map((r) => [
    r.name === 'lifeline' ? 'Lifeline `hub.broadcast`' : 'socket.io `io.emit`',
    `${msText(r.loopMs.median)} (max ${msText(r.loopMs.max)})`,
    msText(r.callMs.median),
    msText(r.deliveredMs.median),
  ])
  return [
    "## The server's defences",
    '',
    `Measured against \`@lifeline/server\` in a process of its own (with \`--expose-gc\`); the peers are raw \`ws\``,
    'clients in the bench process, and the flooding peer a third process, so its writing does not slow the',
    `peer measured. Load average (1 min) of the machine: ${loadText(defences.loadAverage)}.`,
    '',
    `**A flood and a quiet peer.** One peer sends requests one at a time, ${int(flood[0]?.quietRate ?? 0)} a second at most (within its own`,
    `rate limit), to an \`echo\` handler, and its round trips are timed: first alone (${int((flood[0]?.quiet.count ?? 0) / (flood[0]?.rounds.length || 1))} requests a round), then while another peer sends`,
    `${int(flood[0]?.messages ?? 0)} small messages (\`{"type":"chat","data":{"n":…}}\`) as fast as its socket takes them, from a`,
    `process of its own; ${int(flood[0]?.rounds.length ?? 0)} rounds of both. The goal: the flooded p99 within ${budgets.defences.floodP99Ratio}× of the quiet one (the median of`,
    "the rounds' ratios), with the default limits. Three busy processes on a machine of two cores: part of what the",
    'flood costs the quiet peer here is the CPU the flooder itself takes.',
    '',
    table(
      [
        'Server',
        'Flood (each round)',
        'Quiet p50 / p99',
        'Flooded p50 / p99',
        'p99 ratio (each round)',
        'Over the rate limit',
      ],
      floodRows,
    ),
    '',
    `**A slow consumer.** A peer stops reading (its socket paused) while the server broadcasts ${int(slow.megabytes)} MB in frames of`,
    `${int(slow.frameBytes / 1024)} KiB. The goal: the server never holds more than \`highWaterMark\` (${mib(slow.highWaterMark)}) plus one frame`,
    "for it: its `bufferedAmount`, read after every MiB broadcast. Beside it, the peak growth of the server process's",
    'heap + external memory over the start, read after a full collection after every MiB.',
    '',
    table(
      ['Most buffered for it', 'Goal', 'Process growth (peak)', 'Broadcast took', 'Cut'],
      [
        [
          mib(slow.maxBuffered),
          `< ${mib(slow.limit)}`,
          mib(slow.peakGrowth),
          `${int(slow.broadcastMs)} ms`,
          `${slow.slowConsumers ? 'yes, 4008' : '**no**'} (the client saw ${slow.closeCode}: the close frame sat behind what it had not read)`,
        ],
      ],
    ),
    '',
    `**Deploys: the drain herd.** ${int(drain[0]?.peers ?? 0)} Lifeline clients (\`connect\`, default reconnect delays) on server A, which`,
    'stops; the clients come back to server B (their URL is a function that now names B). B counts the handshakes',
    'from the moment the close began: the most in any 100 ms, the median and last arrival, and the arrivals per',
    'half second.',
    '',
    table(['Close', 'Back at B', 'Peak per 100 ms', 'Median', 'Last', 'Arrivals per half second'], drainRows),
    '',
    `**One broadcast to ${int(ours?.peers ?? 0)} peers.** A ${int(ours?.bytes ?? 0)}-character message to every connected peer, Lifeline`,
    'and socket.io (its defaults, WebSocket only) taking turns, after a warm-up: how long the event loop was busy',
    "with it (from the call to the next turn, so the writes queued for the turn's end count), the call alone, and",
    `until the last peer had it. Median of ${int(ours?.runs ?? 0)} broadcasts each.`,
    '',
    table(['Server', 'Event loop', 'The call', 'Last peer had it'], broadcastRows),
    ...(ours && theirs
      ? ['', `Lifeline's event loop time is ${fixed(ours.loopMs.median / theirs.loopMs.median, 2)}× socket.io's.`]
      : []),
  ].join('\n')
}
