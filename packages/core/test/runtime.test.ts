import process from 'node:process'
import { describe, expect, it } from 'vitest'
import WsWebSocket from 'ws'
import { clientWebSocket, runtime } from './support/client.js'

/** The runtime this test process is, as `node 22.23.3`, `bun 1.4.5` or `deno 2.9.6`. */
function runtimeAndVersion(): string {
  if (runtime === 'deno') return `deno ${(globalThis as { Deno?: { version: { deno: string } } }).Deno?.version.deno}`
  if (runtime === 'bun') return `bun ${process.versions.bun}`
  return `node ${process.versions.node}`
}

// scripts/test-runtimes.mjs names the runtime it starts the tests on, so a run that lands on
// another one (a `node` found first on the PATH, a worker the runner started with Node) fails
// here instead of passing for the wrong runtime.
describe('the runtime under test', () => {
  it('is the one the run asked for, with the client WebSocket it asked for', () => {
    const expected = process.env.LIFELINE_TEST_RUNTIME
    if (expected) expect(runtimeAndVersion()).toBe(expected)
    else {
      // A plain `vitest run` is the machine's Node with `ws`, never a Node installed in node_modules:
      // the `node` package links node_modules/.bin/node, which npm scripts and npx find first.
      expect(runtime).toBe('node')
      expect(
        process.execPath,
        "node_modules/.bin/node shadows the machine's node: `npm install` removes it (scripts/unlink-node-bin.mjs)",
      ).not.toMatch(/node_modules/)
    }
    if (clientWebSocket.kind === 'ws') expect(clientWebSocket.WebSocket).toBe(WsWebSocket)
    else {
      expect(clientWebSocket.WebSocket).toBe(globalThis.WebSocket)
      expect(clientWebSocket.WebSocket).not.toBe(WsWebSocket)
    }
  })
})
