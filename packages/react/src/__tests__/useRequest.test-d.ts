import type { LifelineError, RequestOptions, Socket } from '@lifeline/core'
import { describe, expectTypeOf, it } from 'vitest'
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
    expectTypeOf(user.data).toEqualTypeOf<{ name: string } | undefined>()
    expectTypeOf(user.error).toEqualTypeOf<LifelineError | null>()
    expectTypeOf(user.status).toEqualTypeOf<RequestStatus>()
    expectTypeOf(user.pending).toBeBoolean()
    expectTypeOf(user.send).parameters.toEqualTypeOf<[data: { id: string }, options?: RequestOptions]>()
    expectTypeOf(user.send({ id: '1' })).toEqualTypeOf<Promise<{ name: string }>>()
    expectTypeOf(user).toEqualTypeOf<
      UseRequestResult<{ name: string }, [data: { id: string }, options?: RequestOptions]>
    >()
    // @ts-expect-error: the payload is checked against Outgoing
    user.send({ id: 1 })
    // @ts-expect-error: getUser needs its data
    user.send()
  })

  it('lets data be left out where the payload allows undefined', () => {
    const me = useRequest('whoami', socket)
    expectTypeOf(me.send()).toEqualTypeOf<Promise<string>>()
    expectTypeOf(me.data).toEqualTypeOf<string | undefined>()
  })

  it('types a reply without a Replies entry as unknown', () => {
    expectTypeOf(useRequest('chat', socket).data).toEqualTypeOf<unknown>()
  })

  it('refuses a type that is not outgoing', () => {
    // @ts-expect-error: 'presence' is no outgoing type
    useRequest('presence', socket)
  })

  it('takes the maps as generics for the provider socket, as useSocket does', () => {
    const provided = useSocket<Incoming, Outgoing, Replies>()
    expectTypeOf(provided).toEqualTypeOf<Socket<Incoming, Outgoing, Replies>>()
    expectTypeOf(useRequest('getUser', provided).data).toEqualTypeOf<{ name: string } | undefined>()
    const viaGenerics = useRequest<Incoming, Outgoing, Replies, 'getUser'>('getUser')
    expectTypeOf(viaGenerics.data).toEqualTypeOf<{ name: string } | undefined>()
  })
})
