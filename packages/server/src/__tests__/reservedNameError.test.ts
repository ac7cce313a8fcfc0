import { fileURLToPath } from 'node:url'
import { compilerErrors } from '@lifeline/test-support/compilerErrors'
import { describe, expect, it } from 'vitest'

// What a user sees when a message type takes a peer event's name: the compiler's own text, from a
// program that imports the server package's entry as users do.
const here = fileURLToPath(new URL('.', import.meta.url))
const user = `${here}user-code.ts`

const diagnosticsOf = (source: string) => compilerErrors(user, source, ['node'])

// Each case type-checks a program against the package's sources: seconds each, more on a busy machine.
describe('a message type with a reserved peer event name', { timeout: 30_000 }, () => {
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
