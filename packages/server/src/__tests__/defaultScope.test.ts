import { describe, expect, it } from 'vitest'
import { defaultScope } from '../responder.js'

const request = (id: string) => ({ type: 'getUser', id })

describe('the default dedupe scope', () => {
  it('is the user the app named in peer.data.userId or peer.data.id', () => {
    expect(defaultScope(request('k3j9.1'), { data: { userId: 42 } })).toBe('user:42')
    expect(defaultScope(request('k3j9.1'), { data: { id: 'ada' } })).toBe('user:ada')
  })

  it("is the client, by its ids' random prefix, when the app named no user: the same on every connection", () => {
    expect(defaultScope(request('k3j9x.1'), { data: {} })).toBe('client:k3j9x')
    expect(defaultScope(request('k3j9x.2f'), { data: {} })).toBe('client:k3j9x')
    expect(defaultScope(request('other.1'), { data: {} })).not.toBe('client:k3j9x')
  })

  it('is the id itself for an id without a prefix, and ignores data that names no user', () => {
    expect(defaultScope(request('plain'), { data: { userId: { no: 1 } } })).toBe('id:plain')
    expect(defaultScope(request('plain'), { data: null })).toBe('id:plain')
  })
})
