// Every `@example` in the kit's JSDoc (what editors and the API reference show) compiles as a user
// would write it, in one strict program. An example with imports is a file of its own; one without
// (a fragment such as `server.reply(…)`) runs in the scope of a test that has a typed `server` and
// `socket`.
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { expect, it } from 'vitest'

const src = fileURLToPath(new URL('../', import.meta.url))
const here = fileURLToPath(new URL('.', import.meta.url))

/** The ```ts blocks of the JSDoc comments in `source`, with the comment's ` * ` taken off. */
function examples(source: string): string[] {
  const found: string[] = []
  for (const [, block] of source.matchAll(/^\s*\* ```ts\n([\s\S]*?)^\s*\* ```$/gm)) {
    found.push((block as string).replace(/^\s*\* ?/gm, ''))
  }
  return found
}

/** What a fragment can use: the maps of the guide, a typed test server and socket, and `expect`. */
const scope = `
import { connect, type Socket } from '@lifeline/core'
import { channel } from '@lifeline/core/channels'
import { createTestServer, type TestServer } from '@lifeline/testing'
import { expect } from 'vitest'

interface Incoming { chat: { from: string; text: string } }
interface Outgoing { chat: { text: string }; getUser: { id: string }; placeOrder: { sku: string } }
interface Replies { getUser: { name: string }; placeOrder: { orderId: string } }
declare const server: TestServer<Outgoing, Incoming, Replies>
declare const socket: Socket<Incoming, Outgoing, Replies>
void connect, channel, createTestServer, expect
`

/** The example as a file: the kit is imported from its source. */
function asFile(example: string): string {
  const code = /^import /m.test(example) ? example : `${scope}\nexport async function example() {\n${example}\n}\n`
  return code.replaceAll("'@lifeline/testing'", "'../index.js'")
}

it('compiles every JSDoc example of the testing kit', () => {
  const files = new Map<string, string>()
  for (const name of readdirSync(src).filter((file) => file.endsWith('.ts'))) {
    for (const [n, example] of examples(readFileSync(`${src}${name}`, 'utf8')).entries()) {
      files.set(`${here}example-${name.replace(/\.ts$/, '')}-${n + 1}.ts`, asFile(example))
    }
  }
  expect(files.size).toBeGreaterThanOrEqual(5)

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    // @lifeline/core and its entries from source, as the workspace's paths have them, for the kit too.
    paths: {
      '@lifeline/core': [fileURLToPath(new URL('../../../core/src/index.ts', import.meta.url))],
      '@lifeline/core/*': [fileURLToPath(new URL('../../../core/src/*.ts', import.meta.url))],
    },
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.readFile = (name) => files.get(name) ?? readFile(name)
  host.fileExists = (name) => files.has(name) || ts.sys.fileExists(name)
  host.getSourceFile = (name, version, ...rest) => {
    const text = files.get(name)
    return text === undefined ? getSourceFile(name, version, ...rest) : ts.createSourceFile(name, text, version)
  }
  const program = ts.createProgram([...files.keys()], options, host)
  const errors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && files.has(d.file.fileName))
    .map((d) => {
      const file = d.file as ts.SourceFile
      const { line } = file.getLineAndCharacterOfPosition(d.start ?? 0)
      const text = file.text.split('\n')[line]?.trim()
      return `${file.fileName.slice(here.length)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (at \`${text}\`)`
    })
  expect(errors).toEqual([])
})
