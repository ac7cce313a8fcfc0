// A real HTTP proxy for the browser tests: Debian's squid, run by the test itself (never the system
// service) with a generated config in a temp folder, on a free port of 127.0.0.1. It refuses
// CONNECT, the tunnel Chromium and Firefox open for ws:// through a proxy, so WebSockets cannot open
// while pages, GETs and POSTs pass; `allowWebSocket()` rewrites its config to let CONNECT through.
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort, requireTool } from '@lifeline/test-support/tools'

const CANDIDATES = [process.env.SQUID_PATH, '/usr/sbin/squid', '/usr/bin/squid']
const INSTALL = 'Install it with:   apt-get update && apt-get install -y squid\nor point SQUID_PATH at a squid binary.'

/** The squid binary, or `null`: under CI that is a failure; elsewhere a loud banner (the tests are skipped). */
export function requireSquid(): string | null {
  const path = CANDIDATES.find((candidate): candidate is string => !!candidate && existsSync(candidate)) ?? null
  return requireTool(
    path,
    `The HTTP fallback's proxy tests need squid, and none was found.\n${INSTALL}`,
    'The proxy tests',
  )
}

/** squid's config: only this machine's names, nothing cached, CONNECT (WebSocket) refused unless `allowWebSocket`. */
function config(dir: string, port: number, allowWebSocket: boolean): string {
  return [
    `http_port 127.0.0.1:${port}`,
    `pid_filename ${dir}/squid.pid`,
    `cache_log ${dir}/cache.log`,
    `access_log ${dir}/access.log`,
    `coredump_dir ${dir}`,
    'cache deny all',
    'cache_mem 8 MB',
    'dns_nameservers 127.0.0.1',
    'shutdown_lifetime 0 seconds',
    // Every request stays on this machine: both browsers also ask the proxy for their own services' hosts.
    'acl local_names dstdomain 127.0.0.1 localhost',
    'acl CONNECT method CONNECT',
    'http_access deny !local_names',
    allowWebSocket ? '# CONNECT allowed: WebSockets tunnel through' : 'http_access deny CONNECT',
    'http_access allow all',
    '',
  ].join('\n')
}

export interface Squid {
  /** `http://127.0.0.1:PORT`, for `launch(browser, { proxy })`. */
  readonly url: string
  /** Lets CONNECT, and so WebSockets, through from now on (existing connections are kept). */
  allowWebSocket(): Promise<void>
  /** What squid logged for each request, e.g. `TCP_DENIED/403 … CONNECT 127.0.0.1:PORT`. */
  accessLog(): string
  stop(): Promise<void>
}

/** Starts squid on a free port, refusing WebSockets; resolves once it accepts connections. */
export async function startSquid(binary: string): Promise<Squid> {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-squid-'))
  // squid drops to its own user (`proxy`) and must write its logs here.
  chmodSync(dir, 0o777)
  const port = await freePort()
  const conf = join(dir, 'squid.conf')
  writeFileSync(conf, config(dir, port, false))
  const child: ChildProcess = spawn(binary, ['-f', conf, '-N'], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 15_000
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (up) break
    if (Date.now() > deadline || child.exitCode !== null) {
      const log = existsSync(join(dir, 'cache.log')) ? readFileSync(join(dir, 'cache.log'), 'utf8') : ''
      child.kill()
      throw new Error(`squid did not start on port ${port}:\n${log}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async allowWebSocket() {
      writeFileSync(conf, config(dir, port, true))
      await promisify(execFile)(binary, ['-f', conf, '-k', 'reconfigure'])
    },
    accessLog: () => (existsSync(join(dir, 'access.log')) ? readFileSync(join(dir, 'access.log'), 'utf8') : ''),
    async stop() {
      child.kill('SIGTERM')
      const killed = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(killed)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
