// The presence section of the benchmarks page.
import { bytes, fixed, int, table } from './format.mjs'

/** The section from the presence scenario's results. */
export function presenceSection(presence) {
  const { members, listeners, joins, spacingMs } = presence.config
  const find = (shape) => presence.rooms.find((room) => room.shape === shape)
  const [list, count, none] = ['list', 'count', 'none'].map(find)
  const who = {
    list: `${int(listeners)} of ${int(members)} members asked for the list`,
    count: `all ${int(members)} members asked for the count`,
    none: `none of ${int(members)} members asked`,
  }
  const rows = presence.rooms.flatMap((room) =>
    ['join', 'leave'].map((change) => [
      who[room.shape],
      change,
      room.listeners ? bytes(room[change].bytesPerChange) : '–',
      room.listeners ? `${fixed(room[change].bytesPerChangePerListener, 1)} B` : '–',
      `${int(room[change].cpuMsPerChange * 1000)} µs`,
    ]),
  )
  const perListener = list.join.bytesPerChangePerListener
  return [
    '## Presence',
    '',
    `A room of ${int(members)} members on one server process (\`@lifeline/server\`, grace 0; each connection a`,
    `member of its own), then ${int(joins)} more members join one at a time, ${spacingMs} ms apart (each join a frame`,
    'of its own: list changes are coalesced over 50 ms), and leave again. Bytes are what reached the members who',
    "asked, WebSocket payload and header; CPU is the server process's (`process.cpuUsage()`) per join or leave, the",
    '`$join` request included. `bench/scenarios/presence.mjs`.',
    '',
    table(['room', 'change', 'bytes to the room', 'per member who asked', 'server CPU per change'], rows),
    '',
    `- The member list of ${int(members)} members, in the answer to a \`presence: 'list'\` join:`,
    `  **${bytes(list.listBytes)}**; the answer to a \`presence: 'count'\` join: ${bytes(count.countBytes)}.`,
    `- With the list, every join costs each member who asked about ${fixed(perListener, 0)} B, so a room where all`,
    `  ${int(members)} asked would carry about ${int((perListener * members) / 1024)} KiB per join. With the count,`,
    `  a member is sent at most one count a second, whatever the churn: ${fixed(count.join.bytesPerChangePerListener, 1)} B per join here.`,
    `- A join where nobody asked costs the server ${int(none.join.cpuMsPerChange * 1000)} µs, the bookkeeping of`,
    '  presence included; the rest of the figures above is writing the frames.',
  ].join('\n')
}
