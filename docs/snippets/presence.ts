// Samples of docs/presence.md. Each region is pasted into the guide as it is.
import { connect } from '@lifeline/core'
import { attach } from '@lifeline/server'
import { redisAdapter } from '@lifeline/server/redis'
import type { WebSocketServer } from 'ws'

declare const wss: WebSocketServer
declare function verify(token: unknown): Promise<{ userId: string; name: string }>
declare function renderWhoIsHere(names: string[]): void
declare function toast(text: string): void

export function server() {
  // #region server
  const hub = attach(wss, {
    // A member is the user `authenticate` names (`userId`, else `id`); `data` is what it returned.
    authenticate: async ({ token }) => verify(token), // -> { userId: 'u42', name: 'Ann' }
    presence: { grace: 5000 }, // the default: a reconnect within 5 s is no leave and no join
    adapter: redisAdapter({ url: 'redis://127.0.0.1:6379' }), // across instances
  })
  const here = hub.presence('room:42') // [{ id: 'u42', data: { userId: 'u42', name: 'Ann' } }, …]
  // #endregion
  return here
}

export async function client() {
  // #region client
  const { channel } = await import('@lifeline/core/channels')

  const socket = connect('wss://example.com/live', { auth: () => localStorage.getItem('token') })
  const room = channel(socket, 'room:42', { presence: true })
  room.on('presence', (members) => renderWhoIsHere(members.map((member) => (member.data as { name: string }).name)))
  room.on('join', ({ data }) => toast(`${(data as { name: string }).name} is here`))
  room.on('leave', ({ id }) => console.log(id, 'left'))
  room.presence() // the members now: [{ id, data }, …], the same array until one joins or leaves
  // #endregion
  return room
}

export async function count() {
  // #region count
  const { channel } = await import('@lifeline/core/channels')

  const socket = connect('wss://example.com/live')
  const stadium = channel(socket, 'match:final', { presence: 'count' })
  stadium.on('presence', (_, count) => console.log(count, 'watching')) // at most once a second
  // #endregion
  return stadium
}
