import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// What a user sees when a message type takes a peer event's name: the compiler's own text, from a
// program that imports the server package's entry as users do.
const here = fileURLToPath(new URL('.', import.meta.url))
const user = `${here}user-code.ts`

function diagnosticsOf(source: string): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
  }
  const host = ts.createCompilerHost(options)
  const readFile = host.readFile.bind(host)
  const getSourceFile = host.getSourceFile.bind(host)
  host.readFile = (name) => (name === user ? source : readFile(name))
  host.fileExists = (name) => name === user || ts.sys.fileExists(name)
  host.getSourceFile = (name, version, ...rest) =>
    name === user ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest)
  const program = ts.createProgram([user], options, host)
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === user)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
}

describe('a message type with a reserved peer event name', () => {
  it('is a compile error that says the name is reserved and which one', () => {
    const errors = diagnosticsOf(`
      import { WebSocketServer } from 'ws'
      import { attach } from '../index.js'
      interface Incoming { close: { why: string }; chat: { text: string } }
      attach<Incoming>(new WebSocketServer({ noServer: true }))
    `)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain("'close' is a reserved peer event name")
    expect(errors[0]).toContain('rename this message type')
    expect(errors[0]).not.toContain("'never'")
  })

  it('leaves maps without reserved names alone', () => {
    const errors = diagnosticsOf(`
      import { WebSocketServer } from 'ws'
      import { attach } from '../index.js'
      interface Incoming { closed: { why: string }; chat: { text: string } }
      attach<Incoming>(new WebSocketServer({ noServer: true })).on('connection', (peer) =>
        peer.on('closed', (data) => data.why),
      )
    `)
    expect(errors).toEqual([])
  })
})
