// Server instances of the cluster tests, each a Node child process running cluster/instance.ts
// from source, driven over IPC. Every instance is stopped after the test, and must exit by itself.
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Command, Report } from '../cluster/protocol.js'
import { onCleanup } from './hub.js'

const RUN_TS = fileURLToPath(new URL('./runTs.mjs', import.meta.url))
const INSTANCE = fileURLToPath(new URL('../cluster/instance.ts', import.meta.url))

/** Gives up on a wait that should have finished long before the test timeout, with a clear message. */
const WAIT_LIMIT = 10_000

type EventOf<E extends Report['event']> = Extract<Report, { event: E }>

/** A running instance: its WebSocket url, and the means to drive and hear it. */
export interface Instance {
  name: string
  url: string
  /** The next report `event` (matching `accept`) from the instance. */
  next<E extends Report['event']>(event: E, accept?: (report: EventOf<E>) => boolean): Promise<EventOf<E>>
  command(command: Command): void
  /** How many times each handler ran in this instance. */
  calls(): Promise<EventOf<'calls'>['calls']>
  /** Publishes into a channel on this instance (`hub.publish`); resolves with the position. */
  publish(channel: string, data: unknown): Promise<{ epoch: string; offset: number }>
  /** Stops the instance now (rather than after the test); rejects unless it exits cleanly. */
  stop(): Promise<void>
}

function nextReport<E extends Report['event']>(
  child: ChildProcess,
  name: string,
  event: E,
  accept: (report: EventOf<E>) => boolean = () => true,
): Promise<EventOf<E>> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer)
      child.off('message', listener)
      child.off('exit', exited)
    }
    const listener = (report: Report) => {
      if (report.event !== event || !accept(report as EventOf<E>)) return
      done()
      resolve(report as EventOf<E>)
    }
    const exited = (code: number | null) => {
      done()
      reject(new Error(`${name} exited (${code}) before reporting "${event}"`))
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(`${name} did not report "${event}" within ${WAIT_LIMIT} ms`))
    }, WAIT_LIMIT)
    child.on('message', listener)
    child.once('exit', exited)
  })
}

/** Stops the instance; rejects (after killing it) unless it exits with 0 by itself within the limit. */
async function stop(child: ChildProcess, name: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    throw new Error(`${name} had already exited (${child.exitCode ?? child.signalCode})`)
  }
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  child.send({ cmd: 'stop' } satisfies Command)
  const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_LIMIT)
  const code = await exit
  clearTimeout(timer)
  if (code !== 0)
    throw new Error(`${name} did not exit cleanly after stop (exit code ${code}): something kept it alive`)
}

/** Starts an instance on a free port, sharing `prefix` of the Redis at `redisUrl`; stopped after the test. */
export async function startInstance(name: string, redisUrl: string, prefix: string): Promise<Instance> {
  const child = fork(RUN_TS, [INSTANCE], {
    execArgv: [],
    env: { ...process.env, REDIS_URL: redisUrl, PREFIX: prefix, NAME: name },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let stopped: Promise<void> | undefined
  const stopOnce = () => {
    stopped ??= stop(child, name)
    return stopped
  }
  onCleanup(stopOnce)
  const { port } = await nextReport(child, name, 'ready')
  return {
    name,
    url: `ws://127.0.0.1:${port}/live`,
    next: (event, accept) => nextReport(child, name, event, accept),
    command: (command) => child.send(command),
    async calls() {
      const report = nextReport(child, name, 'calls')
      child.send({ cmd: 'calls' } satisfies Command)
      return (await report).calls
    },
    async publish(channel, data) {
      const report = nextReport(child, name, 'published')
      child.send({ cmd: 'publish', channel, data } satisfies Command)
      const { epoch, offset } = await report
      return { epoch, offset }
    },
    stop: stopOnce,
  }
}
