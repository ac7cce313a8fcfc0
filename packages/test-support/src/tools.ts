// What tests need from the machine: a tool they start themselves (a browser, squid, redis-server),
// and a free port for it.
import { createServer } from 'node:net'

/**
 * Decides what a missing tool means: under CI it fails the run; on a developer's machine its tests
 * are skipped with a loud banner that says how to install it. Returns `path`.
 */
export function requireTool<T extends string | null>(path: T, hint: string, skipped: string): T {
  if (path) return path
  if (process.env.CI) throw new Error(hint)
  const bar = '!'.repeat(72)
  console.warn(`\n${bar}\n${hint}\n${skipped} were NOT run.\n${bar}\n`)
  return path
}

/** A TCP port of 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
