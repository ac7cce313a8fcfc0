import { describe, expect, it } from 'vitest'
import type { Publication } from '../broker.js'
import { memoryBroker } from '../memoryBroker.js'
import { createRooms, type Member } from '../rooms.js'

/** A peer that records what was written to it. */
const member = (id: string) => {
  const frames: string[] = []
  return { id, frames, write: (frame: string) => frames.push(frame) }
}

function setup() {
  const rooms = createRooms<Member & { frames: string[] }>()
  const [ada, grace, alan] = [member('ada'), member('grace'), member('alan')]
  for (const peer of [ada, grace, alan]) rooms.add(peer)
  rooms.join('room:1', ada)
  rooms.join('room:1', grace)
  rooms.join('room:2', alan)
  const broker = memoryBroker()
  broker.start({ deliver: rooms.deliver, report: () => {} })
  const publish = (publication: Publication) => broker.publish(publication)
  return { rooms, ada, grace, alan, publish, broker }
}

describe('rooms and the memory broker', () => {
  it('delivers a publication without a channel to every peer, at once', () => {
    const { ada, grace, alan, publish } = setup()
    publish({ frame: 'all' })
    expect([ada.frames, grace.frames, alan.frames]).toEqual([['all'], ['all'], ['all']])
  })

  it("delivers a channel's publication to the peers in its room only", () => {
    const { ada, grace, alan, publish } = setup()
    publish({ frame: 'one', channel: 'room:1' })
    publish({ frame: 'two', channel: 'room:2' })
    publish({ frame: 'none', channel: 'room:3' })
    expect([ada.frames, grace.frames, alan.frames]).toEqual([['one'], ['one'], ['two']])
  })

  it('leaves out the peer named by except, with or without a channel', () => {
    const { ada, grace, alan, publish } = setup()
    publish({ frame: 'all', except: 'ada' })
    publish({ frame: 'one', channel: 'room:1', except: 'grace' })
    expect([ada.frames, grace.frames, alan.frames]).toEqual([['one'], ['all'], ['all']])
  })

  it('takes a peer that left out of every room, and forgets empty rooms', () => {
    const { rooms, ada, grace, publish } = setup()
    rooms.join('room:2', ada)
    expect(rooms.channelsOf(ada)).toEqual(new Set(['room:1', 'room:2']))
    rooms.remove(ada)
    publish({ frame: 'one', channel: 'room:1' })
    expect(ada.frames).toEqual([])
    expect(grace.frames).toEqual(['one'])
    expect(rooms.channelsOf(ada).size).toBe(0)
    expect(rooms.leave('room:1', grace)).toBe(true)
    expect(rooms.members('room:1').size).toBe(0)
    expect(rooms.all.has(ada)).toBe(false)
  })

  it('joins a room once: a second join or a leave of a room not joined says so', () => {
    const { rooms, ada } = setup()
    expect(rooms.join('room:1', ada)).toBe(false)
    expect(rooms.leave('room:2', ada)).toBe(false)
    expect(rooms.members('room:1').size).toBe(2)
  })

  it('delivers nothing after the broker is closed', () => {
    const { ada, broker, publish } = setup()
    broker.close()
    publish({ frame: 'late' })
    expect(ada.frames).toEqual([])
  })
})
