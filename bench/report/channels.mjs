// The channels sections of docs/benchmarks.md: recovery under chaos and the first drop, fan-out,
// time to recover, and the channels' size next to the core and socket.io-client.
import { budgets } from '../config.mjs'
import { fanoutRatio } from '../scenarios/channelsFanout.mjs'
import { bytes, fixed, int, ms, range, ratio, table } from './format.mjs'

const loadText = (load) => (load ? `${fixed(load.before, 1)} before, ${fixed(load.after, 1)} after` : 'not recorded')

/** Said when the machine was very busy during a scenario (a 1-minute load average above 4). */
function busyNote(load, cpus) {
  const peak = Math.max(load?.before ?? 0, load?.after ?? 0)
  if (!(peak > 4)) return ''
  return ` The machine was very busy during this scenario (load average up to ${fixed(peak, 1)}${cpus ? ` on ${cpus} cores` : ''}): other processes had a large share of the CPUs, which lowers every rate and lengthens every time here; the ratios and the counts are what to read.`
}

const bold = (n) => (n ? `**${int(n)}**` : '0')

const labelOf = (scenario, name) => scenario.clients?.find((c) => c.name === name)?.label ?? name

const delays = {
  fast: 'reconnect after 10–50 ms',
  default: "each library's defaults",
}

export function channelsChaosSection(chaos, cpus) {
  const cutMs = Math.round((chaos.cutEvery / chaos.rate) * 1000)
  const rows = chaos.results.map((r) => [
    labelOf(chaos, r.library),
    delays[r.variant] ?? r.variant,
    r.run,
    `${int(r.delivered)}/${int(r.count)}`,
    bold(r.lostSilently),
    r.library === 'lifeline' ? `${int(r.lostWithGap)} (${r.gaps.length} gaps)` : 'no such event',
    bold(r.duplicated),
    bold(r.reordered),
    `${int(r.cuts)} (${int(r.connectionsCut)})`,
    int(r.reconnects),
    r.library === 'socket.io' ? `${int(r.recoveredTrue)} / ${bold(r.recoveredFalse)}` : '–',
    r.ending === 'complete' ? ms(r.tailMs) : `not within ${int(chaos.settleMs / 1000)} s`,
  ])
  const firstRows = (chaos.firstDrops ?? []).map((r) => [
    labelOf(chaos, r.library),
    r.before === 0 ? 'none (joined only)' : int(r.before),
    `${int(r.recoveredMissed)}/${int(r.missed)}`,
    r.library === 'lifeline' ? int(r.announcedMissed) : 'no such event',
    bold(r.silentlyLostMissed),
    `${int(r.liveDelivered)}/${int(r.live)}`,
    r.library === 'lifeline'
      ? `snapshot \`recovered\` ${r.recoveredFlag}; ${r.gaps.length ? `\`gap\` ${r.gaps.map((g) => `${g.reason} ${g.from}–${g.to}`).join(', ')}` : 'no `gap`'}`
      : `\`socket.recovered\` ${r.recoveredFlag}`,
  ])
  return [
    '## Channels under chaos',
    '',
    `${int(chaos.count)} publications at ${int(chaos.rate)}/s into one channel, while the client's link is cut every`,
    `${cutMs} ms: **Lifeline**, \`channel(socket, name)\` (recovery on, the default) against \`@lifeline/server\` with a`,
    `history of ${int(chaos.historySize)} publications per channel (the default is 1,000: "large enough" for this run),`,
    'publishing with `hub.publish`; **socket.io**, a socket.io Server with connection state recovery on (`connectionStateRecovery: {}`,',
    'its defaults: 2 minutes) publishing with `io.to(room).emit`, a default client (WebSocket transport only, as everywhere',
    'on this page) that joins the room on every connection. The client reaches its server through a TCP proxy that',
    `resets every connection it holds (RST both ways, no close frame) after every ${int(chaos.cutEvery)}th publication; the`,
    'proxy, the server and the publisher share one event loop in the server process, so the cuts fall at the same',
    'publications in every run, and each direction of a connection is one ordered stream. New connections pass.',
    `Each client reconnects with its library's default delays (most cuts then find it away) and with 10–50 ms delays`,
    `(a cut finds it connected almost every time, mid-replay or live); ${chaos.runs} run${chaos.runs === 1 ? '' : 's'} of each,`,
    'a fresh server and channel each. After the last publication the cuts stop and the client has',
    `${int(chaos.settleMs / 1000)} s to come back and catch up (the wait ends early once everything is accounted for, or once it is`,
    `in its channel and nothing arrived for ${int(chaos.quietMs)} ms). Counted on what the app's handler was given, by the`,
    'publication number in each payload: **delivered** (distinct), **lost silently** (never delivered, never announced),',
    "**announced** (never delivered, inside a Lifeline `gap` event's range: the budget requires that such ranges cover",
    'exactly what is missing), **duplicated** (delivered again), **reordered** (delivered after a later one). **Cuts**:',
    'the cuts made while publishing (the connections they reset). **Caught up**: from the last publication to the last',
    'delivery. socket.io says at each reconnect whether it recovered (`socket.recovered`): true / false.',
    `Load average (1 min) of the machine: ${loadText(chaos.loadAverage)}.${busyNote(chaos.loadAverage, cpus)}`,
    '',
    table(
      [
        'Library',
        'Reconnect delays',
        'Run',
        'Delivered',
        'Lost silently',
        'Lost, announced in a gap',
        'Duplicated',
        'Reordered',
        'Cuts (connections)',
        'Reconnects',
        'Recovered true / false',
        'Caught up after the last publication',
      ],
      rows,
    ),
    '',
    '### The first drop (socket.io#5538)',
    '',
    'The client joins; its link drops (the proxy cuts it and refuses new connections) before anything was published,',
    `or after one publication was delivered; ${int(chaos.missed)} publications are made while it is away, once the server has`,
    `seen it go; then connections pass again and the client comes back with its default delays; then ${int(chaos.live)} more`,
    'are published. socket.io resumes from the offset of the last event a client received, and a client that received',
    'none has no offset: its server starts a new session (`socket.recovered` false, no missed packet sent), so what was',
    "published while it was away is gone, and the app is told only that the session was not recovered. Lifeline's join",
    "is answered with the channel's position even when nothing was published, so its first drop is recoverable.",
    '',
    table(
      [
        'Library',
        'Delivered before the drop',
        'Missed while away: recovered',
        'announced in a gap',
        'lost silently',
        'Live after the return',
        'What the app was told',
      ],
      firstRows,
    ),
  ].join('\n')
}

export function channelsFanoutSection(fanout, cpus) {
  const byShape = fanout.shapes.map((shape) => {
    const rows = fanout.results.filter((r) => r.shape === shape.name)
    return { shape, rows }
  })
  const how = (shape) =>
    shape.turns ? 'each publication in its own turn' : `${int(shape.burst)} publications per turn`
  const rows = byShape.flatMap(({ shape, rows: results }) =>
    results.map((r) => {
      const vs = r.name === 'socket.io' ? '1.00×' : ratio(fanoutRatio(fanout, shape.name, r.name, 'socket.io').ratio)
      return [
        how(shape),
        r.label,
        int(r.publicationsPerSec.median),
        range(r.publicationsPerSec, int),
        `${int(r.deliveriesPerSec.median)}`,
        vs,
        `${fixed(r.clientUserUs.median)} + ${fixed(r.clientSystemUs.median)}`,
        `${fixed(r.serverUserUs.median)} + ${fixed(r.serverSystemUs.median)}`,
      ]
    }),
  )
  const find = (shape, name) => fanout.results.find((r) => r.shape === shape && r.name === name)
  const perTurn = fanout.shapes.find((s) => s.turns)
  const oneTurn = fanout.shapes.find((s) => !s.turns)
  const serverUs = (r) => r.serverUserUs.median + r.serverSystemUs.median
  const sub = int(fanout.subscribers)
  const whereText = []
  if (perTurn && oneTurn) {
    const [lp, sp, lo, so] = [
      find(perTurn.name, 'lifeline'),
      find(perTurn.name, 'socket.io'),
      find(oneTurn.name, 'lifeline'),
      find(oneTurn.name, 'socket.io'),
    ]
    if (lp && sp && lo && so) {
      whereText.push(
        '',
        `Where the time goes (a \`--cpu-prof\` profile of the server process in both shapes): with one publication per`,
        "turn, every delivery is one `writev` system call on its subscriber's TCP socket, for both libraries: the",
        "largest part of the server's time in the profile, and the kernel column above",
        `(${fixed(lp.serverSystemUs.median)} µs per delivery for Lifeline, ${fixed(sp.serverSystemUs.median)} for socket.io on this virtual machine).`,
        "`@lifeline/server` corks each peer's socket for the turn and uncorks it at the turn's end, which saves nothing",
        'when a turn writes one frame to each peer. The rest of its own time is `deliver` in its channels code',
        "(the room's members, a membership lookup per peer, the offset check) and `ws`'s framing of the same text",
        'once per peer (`Sender.frame` and a UTF-8 copy per send); socket.io frames a broadcast once',
        '(`wsPreEncodedFrame`) and hands the same bytes to every socket. With a burst in one turn Lifeline writes a',
        "peer's frames of that turn together (one `writev` per 16 frames), hence its lower kernel time there",
        `(${fixed(lo.serverSystemUs.median)} against ${fixed(so.serverSystemUs.median)} µs) and server CPU per delivery`,
        `${ratio(serverUs(lo) / serverUs(so))} socket.io's, against ${ratio(serverUs(lp) / serverUs(sp))} with one per turn.`,
        "What would change the one-per-turn row: writing a channel's publications to its members on a short",
        'timer or `setImmediate` instead of at the end of each turn, so that publications of consecutive turns',
        'leave in one system call per subscriber (a latency of at most that delay); and encoding and framing a',
        'publication once for all members (a `Buffer`, or a pre-built WebSocket frame as socket.io does) instead',
        'of once per peer. The client side is the other half: every subscriber here lives in one client process,',
        'which receives each delivery as its own TCP read when publications come one per turn.',
      )
    }
  }
  return [
    '## Channels: fan-out',
    '',
    `One server process, ${sub} subscribers: **Lifeline**, \`hub.publish(name, data)\` into a channel that every client`,
    "joined with `channel(socket, name)`; **socket.io**, `io.to(room).emit('pub', data)` to a room every client joined",
    "(the server's defaults: connection state recovery off, the fastest socket.io). A publication is `{ n, text }` with",
    "a 48-character text; it counts as delivered once every subscriber's handler has received it. The server",
    'process publishes a burst per call from the client process, which asks for the next burst once the previous',
    'one has reached every subscriber (at most two bursts on the way). Two shapes: **each publication in its own',
    "turn** of the server's event loop (publications made by separate events: requests, messages, timers), and",
    "**a burst in one turn** (a batch job). All subscribers live in one client process (both libraries' at once,",
    'connected directly to the server, no proxy); the libraries take turns slice by slice, in an order that reverses',
    `every slice; ${fanout.chunks} slices per shape and library after ${int(fanout.warmup)} warm-up publications.`,
    '**vs socket.io** is the median of slice-by-slice ratios. CPU is `process.cpuUsage()`, user + kernel, of the',
    'client process and of the server process, per delivery (one publication to one subscriber).',
    `Load average (1 min) of the machine: ${loadText(fanout.loadAverage)}.${busyNote(fanout.loadAverage, cpus)}`,
    '',
    table(
      [
        'Shape',
        'Library',
        'publications/s (median)',
        'min–max',
        'deliveries/s',
        'vs socket.io',
        'client CPU µs/delivery (user + kernel)',
        'server CPU µs/delivery (user + kernel)',
      ],
      rows,
    ),
    ...whereText,
  ].join('\n')
}

export function channelsRecoverySection(recovery, cpus) {
  const of = (name, missed) => recovery.results.find((r) => r.name === name && r.missed === missed)
  const time = (r) => (r?.ms ? `${fixed(r.ms.median, 1)} ms` : '–')
  const span = (r) => (r?.ms ? `${fixed(r.ms.min, 1)}–${fixed(r.ms.max, 1)} ms` : '–')
  const rows = recovery.missed.map((missed) => {
    const ours = of('lifeline', missed)
    const theirs = of('socket.io', missed)
    return [
      int(missed),
      time(ours),
      span(ours),
      time(theirs),
      span(theirs),
      ours?.ms && theirs?.ms ? ratio(ours.ms.median / theirs.ms.median) : '–',
      `${ours ? `${ours.complete}/${ours.rounds}` : '–'}, ${theirs ? `${theirs.complete}/${theirs.rounds}` : '–'}`,
    ]
  })
  return [
    '## Channels: time to recover',
    '',
    'A client in a channel (Lifeline, history of',
    `${int(recovery.historySize)} publications) or a room (socket.io with connection state recovery) loses its link through the`,
    'cut proxy, which refuses new connections while the publications are made; then connections pass again. Measured',
    "in the client process, **from the link's return** (Lifeline's `open`, socket.io's Manager `open`: the transport",
    'is up again; the reconnect delay before it is not counted, and both reconnect after 10–50 ms here) **to the',
    "delivery of the last missed publication** to the app's handler: for Lifeline, the join request, the history",
    "read and the replay; for socket.io, its CONNECT with the session's offset, the session's restoration and the",
    'missed packets. One publication is delivered before the first drop, so that socket.io has an offset. Median and',
    `range of ${recovery.rounds} rounds per count, one client and one channel per library for all its rounds.`,
    `Load average (1 min) of the machine: ${loadText(recovery.loadAverage)}.${busyNote(recovery.loadAverage, cpus)}`,
    '',
    table(
      [
        'Missed',
        'Lifeline (median)',
        'range',
        'socket.io (median)',
        'range',
        'Lifeline / socket.io',
        'Rounds that recovered all (Lifeline, socket.io)',
      ],
      rows,
    ),
  ].join('\n')
}

/** A paragraph for the size section: what channels add, next to the core and socket.io-client. */
export function channelsSizeText(size) {
  const core = size.results.find((r) => r.name === 'lifeline')
  const channels = size.results.find((r) => r.name === 'lifeline-channels')
  const socketIo = size.results.find((r) => r.name === 'socket.io-client')
  const coreIife = size.iifes?.find((i) => i.name === 'core')
  const channelsIife = size.iifes?.find((i) => i.name === 'channels')
  if (!core || !channels || !channelsIife || !coreIife) return ''
  const added = channels.added.esbuildGzipBytes
  return [
    '',
    `Channels: \`@lifeline/core/channels\` adds ${bytes(added)} to \`{ connect }\` as esbuild bundles it`,
    `(${bytes(core.esbuild.gzipBytes)} → ${bytes(channels.esbuild.gzipBytes)}), and \`lifeline-channels.iife.min.js\` is ${bytes(channelsIife.gzipBytes)}`,
    `on top of the core's ${bytes(coreIife.gzipBytes)} CDN file (min+gzip; budget for each: ${bytes(budgets.channels.addedGzipBytes)}).`,
    socketIo
      ? `Core and channels together are ${ratio(channels.esbuild.gzipBytes / socketIo.esbuild.gzipBytes)} of socket.io-client's \`{ io }\` (${bytes(socketIo.esbuild.gzipBytes)}, esbuild), whose connection state recovery is in that bundle.`
      : '',
  ]
    .filter((line) => line !== '')
    .join('\n')
}
