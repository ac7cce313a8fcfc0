import { describe, expectTypeOf, it } from 'vitest'
import {
  type Channel,
  type ChannelGap,
  type ChannelPosition,
  type ChannelSnapshot,
  type ChannelStatus,
  channel,
  type PresenceMember,
} from '../channels.js'
import type { LifelineError } from '../index.js'
import { connect } from '../index.js'

interface ChatLine {
  from: string
  text: string
}
interface Incoming {
  chat: ChatLine
}
interface Outgoing {
  chat: { text: string }
}

describe('channel types', () => {
  const socket = connect<Incoming, Outgoing, { chat: { ok: boolean } }>('wss://example.com/live')

  it('takes any typed socket, and types payloads by its type argument', () => {
    const room = channel<ChatLine>(socket, 'room:42')
    expectTypeOf(room).toEqualTypeOf<Channel<ChatLine>>()
    room.on('message', (line, position) => {
      expectTypeOf(line).toEqualTypeOf<ChatLine>()
      expectTypeOf(position).toEqualTypeOf<ChannelPosition>()
    })
    room.on('gap', (gap) => expectTypeOf(gap).toEqualTypeOf<ChannelGap>())
    room.on('state', (snapshot) => expectTypeOf(snapshot).toEqualTypeOf<ChannelSnapshot>())
    room.on('error', (error) => expectTypeOf(error).toEqualTypeOf<LifelineError>())
    expectTypeOf(room.on('message', () => {})).toEqualTypeOf<() => void>()
  })

  it('publishes the payload type and resolves with a position', () => {
    const room = channel<ChatLine>(socket, 'room:42')
    expectTypeOf(room.publish({ from: 'ann', text: 'hi' })).toEqualTypeOf<Promise<ChannelPosition>>()
    // @ts-expect-error: not a ChatLine
    room.publish({ text: 1 })
  })

  it('refuses unknown events and options, and a position from a snapshot is what since takes', () => {
    const room = channel(socket, 'room:42')
    // @ts-expect-error: not a channel event
    room.on('open', () => {})
    // @ts-expect-error: not an option
    channel(socket, 'room', { recovr: false })
    const { epoch, offset, status } = room.getSnapshot()
    expectTypeOf(status).toEqualTypeOf<ChannelStatus>()
    if (epoch !== null) channel(socket, 'room', { since: { epoch, offset } })
    expectTypeOf(channel(socket, 'room').on('message', (data) => data)).toEqualTypeOf<() => void>()
    channel(socket, 'room').on('message', (data) => expectTypeOf(data).toEqualTypeOf<unknown>())
  })

  it('types the members by what the server says of a user, and takes presence true or count only', () => {
    const room = channel(socket, 'room:42', { presence: true })
    expectTypeOf(room.presence<{ name: string }>()).toEqualTypeOf<readonly PresenceMember<{ name: string }>[]>()
    expectTypeOf(room.memberCount()).toEqualTypeOf<number>()
    room.on('join', (member) => expectTypeOf(member.id).toEqualTypeOf<string>())
    room.on('presence', (members, count) => {
      expectTypeOf(members).toEqualTypeOf<readonly PresenceMember[]>()
      expectTypeOf(count).toEqualTypeOf<number>()
    })
    channel(socket, 'stadium', { presence: 'count' })
    // @ts-expect-error: the list is `true`
    channel(socket, 'room', { presence: 'list' })
  })
})
