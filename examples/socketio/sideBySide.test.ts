// The socket.io guide's example (docs/migrating.md) runs, and both halves do the same thing.
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs example, without types
import { lifeline, socketIo } from './sideBySide.mjs'

describe('the socket.io side-by-side example', () => {
  it('authenticates, answers the request and recovers the room after a drop on both libraries', async () => {
    const expected = {
      user: { id: '42', name: 'ada' },
      lines: ['line 1', 'line 2', 'line 3', 'line 4', 'line 5'],
      recovered: true,
    }
    expect(await socketIo()).toEqual(expected)
    expect(await lifeline()).toEqual(expected)
  })
})
