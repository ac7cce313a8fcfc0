// The sleep-and-resume section of docs/benchmarks.md (scenarios/resume.mjs).
import { ms, table } from './format.mjs'

const ENGINE = { chromium: 'Chromium', firefox: 'Firefox' }

export function resumeSection(resume) {
  const rows = resume.results.map((r) => [
    ENGINE[r.engine] ?? r.engine,
    r.label,
    r.survives ? 'survives' : 'dies',
    r.resumeToOpenMs === null ? 'stayed open' : `${ms(r.resumeToOpenMs)} (max ${ms(r.resumeToOpenMaxMs)})`,
    `${r.reconnected}/${r.runs}`,
    `${r.deliveredOnce}/${r.runs}`,
    `${r.linesShown.join(', ')} (recovered ${r.recovered.join(', ')})`,
    r.errors?.length ? r.errors.join(', ') : '–',
  ])
  return [
    '## Sleep and resume',
    '',
    `The demo page (\`examples/cdn\`: heartbeat every 2 s with 2 s to answer, the \`lobby\` channel joined) put to`,
    `sleep for ${resume.sleepMs / 1000} s in each way a browser allows, ${resume.runs === 1 ? 'once' : `${resume.runs} times`} each, a fresh demo server`,
    'each time; meanwhile the server publishes 3 lines to the room (and, where the case says so, cuts the link).',
    'Chromium 156 and Firefox ESR 153, both driven by puppeteer-core (CDP and WebDriver BiDi). The browser is',
    'stopped with SIGSTOP and continued with SIGCONT: its clock jumps, its timers are late, and the kernel keeps',
    "the connection, as in a laptop's sleep. Measured from the resume: **open again**, the median time to the",
    "socket's next `open` (none when the link came through); **reconnected**, the runs with a new connection;",
    '**message once**, a chat message sent at the resume delivered exactly once; **lines**, the room lines',
    'published while asleep that the page shows, and how many of them channel recovery replayed. The goal:',
    'under 1 s to `open` when the link died, no reconnect when it survived, nothing lost. `examples/e2e/sleep.test.ts`',
    'checks the outcomes on every `npm test`.',
    '',
    table(['Browser', 'Asleep', 'The link', 'Open again', 'Reconnected', 'Message once', 'Lines of 3', 'Errors'], rows),
    ...(resume.skipped?.length ? ['', `Not measured: ${resume.skipped.join('; ')}.`] : []),
  ].join('\n')
}
