// Starts the hostile tests' server (server.ts) in a child process with --unhandled-rejections=strict,
// and the raw clients that attack it. The server must survive every test and exit cleanly when
// told to stop; a crash fails the test that caused it.
import { type ChildProcess, fork } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { AttachOptions } from '@lifeline/server'
import WebSocket from 'ws'
import { onCleanup } from '../support/hub.js'
import type { Command, Measure, Report } from './protocol.js'

const RUN_TS = fileURLToPath(new URL('../support/runTs.mjs', import.meta.url))
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url))

/** Gives up on a wait that should have finished long before the test timeout, with a clear message. */
export const WAIT_LIMIT = 10_000

type EventOf<E extends Report['event']> = Extract<Report, { event: E }>

/** The options the child's hub is attached with (JSON only), plus a delay for an async `onConnection`. */
export type ServerOptions = Omit<
  AttachOptions,
  'adapter' | 'onConnection' | 'authorize' | 'formatError' | 'origins'
> & {
  origins?: '*' | 'same-host' | string[]
  connectionDelay?: number
}

export interface HostileServer {
  url: string
  port: number
  /** Every report received so far. */
  reports: Report[]
  next<E extends Report['event']>(
    event: E,
    accept?: (report: EventOf<E>) => boolean,
    limit?: number,
  ): Promise<EventOf<E>>
  command(command: Command): void
  measure(): Promise<Measure>
  /** Stops the server; rejects unless it exits with 0 by itself (it crashed, or something kept it alive). */
  stop(): Promise<void>
}

/** Starts the server with `options` (and the Redis at `redisUrl`); stopped after the test. */
export async function startServer(
  options: ServerOptions = {},
  redis?: { url: string; prefix: string },
): Promise<HostileServer> {
  const child: ChildProcess = fork(RUN_TS, [SERVER], {
    execArgv: ['--unhandled-rejections=strict', '--expose-gc'],
    env: {
      ...process.env,
      HUB_OPTIONS: JSON.stringify(options),
      ...(redis ? { REDIS_URL: redis.url, PREFIX: redis.prefix } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const reports: Report[] = []
  child.on('message', (report: Report) => reports.push(report))

  function next<E extends Report['event']>(
    event: E,
    accept: (report: EventOf<E>) => boolean = () => true,
    limit = WAIT_LIMIT,
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
      const exited = (code: number | null, signal: string | null) => {
        done()
        reject(new Error(`the server exited (${code ?? signal}) before reporting "${event}": it crashed`))
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`the server did not report "${event}" within ${limit} ms`))
      }, limit)
      child.on('message', listener)
      child.once('exit', exited)
    })
  }

  let stopped: Promise<void> | undefined
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the server had exited (${child.exitCode ?? child.signalCode}): it crashed`)
      }
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
      child.send({ cmd: 'stop' } satisfies Command)
      const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_LIMIT)
      const code = await exit
      clearTimeout(timer)
      if (code !== 0) throw new Error(`the server did not exit cleanly after stop (exit code ${code})`)
    })()
    return stopped
  }
  onCleanup(stop)
  const { port } = await next('ready', undefined, 30_000)
  return {
    url: `ws://127.0.0.1:${port}/live`,
    port,
    reports,
    next,
    command: (command) => child.send(command),
    async measure() {
      const measured = next('measure')
      child.send({ cmd: 'stats' } satisfies Command)
      return (await measured).measure
    },
    stop,
  }
}

/** A raw `ws` client, open; terminated after the test. */
export async function hostileClient(url: string, options?: WebSocket.ClientOptions): Promise<Client> {
  const ws = new WebSocket(url, options)
  onCleanup(() => ws.terminate())
  await new Promise((resolve, reject) => {
    ws.once('open', resolve)
    ws.once('error', reject)
  })
  return new Client(ws)
}

/** A raw client that keeps the replies it gets, by the id they answer. */
export class Client {
  readonly replies = new Map<string, Record<string, unknown>>()
  /** How many frames of each message type arrived. */
  readonly messages = new Map<string, number>()
  readonly closed: Promise<number>
  #waiters = new Set<() => void>()

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)))
    ws.on('message', (raw) => {
      let frame: Record<string, unknown>
      try {
        frame = JSON.parse(String(raw))
      } catch {
        return
      }
      if (typeof frame.re === 'string') this.replies.set(frame.re, frame)
      if (typeof frame.type === 'string') this.messages.set(frame.type, (this.messages.get(frame.type) ?? 0) + 1)
      for (const check of [...this.#waiters]) check()
    })
    ws.on('close', () => {
      for (const check of [...this.#waiters]) check()
    })
  }

  send(frame: object | string | Buffer) {
    this.ws.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame))
  }

  /** Sends a request and resolves with its reply. */
  request(type: string, data: unknown, id: string, limit = WAIT_LIMIT) {
    this.send({ type, id, data })
    return this.reply(id, limit)
  }

  /** The reply to `id`, now or when it comes. */
  reply(id: string, limit = WAIT_LIMIT): Promise<Record<string, unknown>> {
    return this.until(() => this.replies.get(id), `the reply to ${id}`, limit)
  }

  /** Resolves with `found()` once it is defined, checked on every frame; rejects after `limit` ms or at close. */
  until<T>(found: () => T | undefined, what: string, limit = WAIT_LIMIT): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = found()
        if (value !== undefined) {
          finish()
          resolve(value)
        } else if (this.ws.readyState === WebSocket.CLOSED) {
          finish()
          reject(new Error(`the connection closed before ${what}`))
        }
      }
      const finish = () => {
        clearTimeout(timer)
        this.#waiters.delete(check)
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`no ${what} within ${limit} ms`))
      }, limit)
      this.#waiters.add(check)
      check()
    })
  }
}

/** A raw TCP connection to the server, upgraded by hand; destroyed after the test. */
export async function rawUpgrade(
  port: number,
  headers: Record<string, string> = {},
): Promise<{ socket: Socket; response: string }> {
  const socket = connect(port, '127.0.0.1')
  onCleanup(() => socket.destroy())
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  const lines = [
    'GET /live HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  const response = await new Promise<string>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error('no upgrade response')), WAIT_LIMIT)
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) return
      clearTimeout(timer)
      socket.off('data', onData)
      resolve(text.slice(0, end))
    }
    socket.on('data', onData)
  })
  return { socket, response }
}

/** A masked client frame header announcing `length` bytes of text (the payload is written separately, masked with zeros). */
export function frameHeader(length: number): Buffer {
  const header = Buffer.alloc(14)
  header[0] = 0x81 // FIN, text
  header[1] = 0x80 | 127 // masked, 64-bit length
  header.writeBigUInt64BE(BigInt(length), 2)
  header.writeUInt32BE(0, 10) // mask key 0: the payload goes as it is
  return header
}
