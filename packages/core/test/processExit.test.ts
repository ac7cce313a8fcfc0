import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Resources } from './support/client.js'

const resources = new Resources()
afterEach(() => resources.dispose())

// The child is a plain Node process using `ws`, as an app would: the core, from source, and `ws`
// bundled into one file.
const CLIENT = `import WebSocket from 'ws'
import { connect } from ${JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)))}
const socket = connect(process.argv[2], { WebSocket, reconnect: false })
socket.on('open', () => console.log('open'))
process.stdin.once('data', () => {
  socket.dispose()
  console.log('disposed')
  process.stdin.destroy()
})
`
let dir = ''
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lifeline-exit-'))
  await build({
    stdin: { contents: CLIENT, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    // ws loads these optional speed-ups in a try/catch.
    external: ['bufferutil', 'utf-8-validate'],
    outfile: join(dir, 'client.cjs'),
    tsconfigRaw: {},
    logLevel: 'silent',
  })
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a Node process using ws', () => {
  it('exits within the close grace after dispose() on a black-holed link', async () => {
    const server = await resources.server()
    const proxy = await resources.proxy({ target: { port: server.port } })
    // The machine's Node, whatever runtime runs this test; `ws` resolves from the repository.
    const node = process.env.npm_node_execpath ?? 'node'
    const child = spawn(node, [join(dir, 'client.cjs'), proxy.url('/live')], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines: string[] = []
    const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())))
    const saw = (line: string) =>
      new Promise<void>((resolve, reject) => {
        const check = () => (lines.includes(line) ? resolve() : child.stdout.once('data', check))
        exited.then(() => reject(new Error(`the client exited before printing "${line}"`)))
        check()
      })
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)))
    try {
      await saw('open')
      proxy.blackhole() // the close handshake will never be answered
      const disposedAt = performance.now()
      child.stdin.write('dispose\n')
      const elapsed = (await exited) - disposedAt
      expect(lines).toContain('disposed')
      // One second of grace for the close handshake, then terminate(): not ws's 30 s close timeout.
      expect(elapsed).toBeLessThan(2500)
    } finally {
      child.kill()
    }
  })
})
