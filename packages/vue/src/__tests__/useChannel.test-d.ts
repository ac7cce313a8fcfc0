import { describe, expectTypeOf, it } from 'vitest'
import { useChannel } from '../index.js'

describe('useChannel types', () => {
  it('gives readonly refs typed by its type argument', () => {
    const room = useChannel<{ text: string }>('room')
    expectTypeOf(room.messages.value).toEqualTypeOf<readonly { text: string }[]>()
    expectTypeOf(room.last.value).toEqualTypeOf<{ text: string } | undefined>()
    expectTypeOf(room.status.value).toEqualTypeOf<'joining' | 'joined' | 'left' | 'failed'>()
    expectTypeOf(room.publish({ text: 'hi' })).toEqualTypeOf<Promise<{ epoch: string; offset: number }>>()
    // @ts-expect-error: not the payload type
    room.publish({ text: 1 })
    // @ts-expect-error: readonly
    room.status.value = 'left'
  })
})
