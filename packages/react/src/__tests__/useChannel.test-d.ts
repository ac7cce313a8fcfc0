import { describe, expectTypeOf, it } from 'vitest'
import { useChannel } from '../index.js'

describe('useChannel types', () => {
  it('types payloads by its type argument and publish by the same', () => {
    const room = useChannel<{ text: string }>('room')
    expectTypeOf(room.messages).toEqualTypeOf<readonly { text: string }[]>()
    expectTypeOf(room.last).toEqualTypeOf<{ text: string } | undefined>()
    expectTypeOf(room.status).toEqualTypeOf<'joining' | 'joined' | 'left' | 'failed'>()
    expectTypeOf(room.publish({ text: 'hi' })).toEqualTypeOf<Promise<{ epoch: string; offset: number }>>()
    // @ts-expect-error: not the payload type
    room.publish({ text: 1 })
  })
})
