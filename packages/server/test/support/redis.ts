// A real redis-server for the tests that need one: started by the test itself on a free port of
// 127.0.0.1, nothing persisted, stopped afterwards. Never the system service.
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { freePort, requireTool } from '@lifeline/test-support/tools'

const INSTALL_HINT =
  'redis-server is not installed. Install it with `apt-get update && apt-get install -y redis-server` ' +
  '(the tests start their own on a free port; the system service is not needed).'

/** How long redis-server may take to say it is ready. */
const START_LIMIT = 10_000

function findRedisServer(): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  for (const dir of [...dirs, '/usr/bin', '/usr/local/bin']) {
    const candidate = join(dir, 'redis-server')
    if (existsSync(candidate)) return candidate
  }
  return null
}

/**
 * The redis-server binary, or null (with a loud banner) where none is installed and CI is not
 * set. Under CI=true a missing redis-server fails the run.
 */
export function requireRedisServer(): string | null {
  return requireTool(findRedisServer(), INSTALL_HINT, 'The Redis tests')
}

/** A running redis-server of the tests. */
export interface RedisServer {
  /** e.g. `redis://127.0.0.1:40123` */
  url: string
  port: number
  /** Stops it and waits for the process to exit. */
  stop(): Promise<void>
  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void
  /** Lets a frozen process go on (SIGCONT). */
  resume(): void
}

/** Starts redis-server on `port` (a restart where an earlier one ran). */
export function launch(binary: string, port: number): Promise<RedisServer> {
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let output = ''
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`redis-server on port ${port} ${why}:\n${output}`))
    }
    const timer = setTimeout(() => fail(`was not ready within ${START_LIMIT} ms`), START_LIMIT)
    const early = (code: number | null) => fail(`exited with ${code}`)
    child.once('exit', early)
    child.stderr?.on('data', (chunk) => {
      output += chunk
    })
    child.stdout?.on('data', (chunk) => {
      output += chunk
      if (!output.includes('Ready to accept connections')) return
      clearTimeout(timer)
      child.off('exit', early)
      child.stdout?.removeAllListeners('data').resume()
      resolve({
        url: `redis://127.0.0.1:${port}`,
        port,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGCONT')
            child.kill('SIGTERM')
          }
          await exited
        },
        pause: () => child.kill('SIGSTOP'),
        resume: () => child.kill('SIGCONT'),
      })
    })
  })
}

/** Starts redis-server on a free port; retries on another port if the one found was taken meanwhile. */
export async function startRedis(binary: string): Promise<RedisServer> {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(binary, await freePort())
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}
