import type { LifelineError, RequestOptions, Socket } from '@lifeline/core'
import { describe, expectTypeOf, it } from 'vitest'
import type { ShallowRef } from 'vue'
import { type RequestStatus, type UseRequestResult, useRequest, useSocket } from '../index.js'

interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  getUser: { id: string }
  whoami: undefined
  chat: { text: string }
}
interface Replies {
  getUser: { name: string }
  whoami: string
}

declare const socket: Socket<Incoming, Outgoing, Replies>

describe('useRequest', () => {
  it('types data by the Replies of the socket passed, and send by its Outgoing', () => {
    const user = useRequest('getUser', socket)
    expectTypeOf(user.data).toEqualTypeOf<Readonly<ShallowRef<{ name: string } | undefined>>>()
    expectTypeOf(user.error).toEqualTypeOf<Readonly<ShallowRef<LifelineError | null>>>()
    expectTypeOf(user.status).toEqualTypeOf<Readonly<ShallowRef<RequestStatus>>>()
    expectTypeOf(user.pending).toEqualTypeOf<Readonly<ShallowRef<boolean>>>()
    expectTypeOf(user.send).parameters.toEqualTypeOf<[data: { id: string }, options?: RequestOptions]>()
    expectTypeOf(user.send({ id: '1' })).toEqualTypeOf<Promise<{ name: string } | undefined>>()
    expectTypeOf(user).toEqualTypeOf<
      UseRequestResult<{ name: string }, [data: { id: string }, options?: RequestOptions]>
    >()
    // @ts-expect-error: the payload is checked against Outgoing
    user.send({ id: 1 })
    // @ts-expect-error: the refs are readonly
    user.data.value = { name: 'x' }
  })

  it('lets data be left out where the payload allows undefined; no Replies entry is unknown', () => {
    expectTypeOf(useRequest('whoami', socket).send()).toEqualTypeOf<Promise<string | undefined>>()
    expectTypeOf(useRequest('chat', socket).data.value).toEqualTypeOf<unknown>()
    // @ts-expect-error: 'presence' is no outgoing type
    useRequest('presence', socket)
  })

  it('takes the maps as generics for the provided socket, as useSocket does', () => {
    const provided = useSocket<Incoming, Outgoing, Replies>()
    expectTypeOf(provided).toEqualTypeOf<Socket<Incoming, Outgoing, Replies>>()
    expectTypeOf(useSocket<Incoming, Outgoing, Replies>('wss://example.com/live')).toEqualTypeOf<
      Socket<Incoming, Outgoing, Replies>
    >()
    const viaGenerics = useRequest<Incoming, Outgoing, Replies, 'getUser'>('getUser')
    expectTypeOf(viaGenerics.data.value).toEqualTypeOf<{ name: string } | undefined>()
  })
})
