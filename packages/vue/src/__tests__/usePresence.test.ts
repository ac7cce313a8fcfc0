import { answerJoin, lastJoin, sentOf } from '@lifeline/test-support/channelsHelpers'
import { describe, expect, it } from 'vitest'
import { effectScope } from 'vue'
import { useChannel, usePresence } from '../index.js'
import { fakeSocket, openLink, settle, useFakes } from './helpers.js'

useFakes()

const ann = { id: 'ann', data: { name: 'Ann' } }
const bob = { id: 'bob', data: { name: 'Bob' } }

describe('usePresence', () => {
  it('follows the members as refs, from the join answer, then each join and leave', async () => {
    const socket = fakeSocket()
    const ws = await openLink()
    const scope = effectScope()
    const { members, count } = scope.run(() => usePresence<{ name: string }>('room', {}, socket))!
    expect(members.value).toEqual([])
    expect(lastJoin(ws).data.presence).toBe('list')
    answerJoin(ws, { epoch: 'e1', offset: 0, members: [ann] })
    await settle()
    expect(members.value).toEqual([ann])
    ws.serverSend({ pr: 'room', j: [bob], l: ['ann'] })
    expect(members.value).toEqual([bob])
    expect(count.value).toBe(1)
    scope.stop()
    await settle()
    expect(sentOf(ws, '$leave')).toHaveLength(1)
    socket.dispose()
  })

  it('shares one subscription with useChannel, and keeps only the count with countOnly', async () => {
    const socket = fakeSocket()
    const ws = await openLink()
    const scope = effectScope()
    const { members, count } = scope.run(() => {
      useChannel('stadium', {}, socket)
      return usePresence('stadium', { countOnly: true }, socket)
    })!
    expect(sentOf(ws, '$join').map((join) => join.data.presence)).toEqual([undefined, 'count'])
    answerJoin(ws, { epoch: 'e1', offset: 0, count: 9000 })
    await settle()
    ws.serverSend({ pr: 'stadium', n: 9001 })
    expect(count.value).toBe(9001)
    expect(members.value).toEqual([])
    scope.stop()
    socket.dispose()
  })
})
