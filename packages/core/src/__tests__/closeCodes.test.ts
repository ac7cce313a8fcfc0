import { describe, expect, it } from 'vitest'
import { defaultShouldReconnect, isUserCloseCode } from '../closeCodes.js'

const retries = (code: number) => defaultShouldReconnect({ code, reason: '', wasClean: true })

describe('close code policy', () => {
  it.each([1000, 1003, 1007, 1008, 1009, 1010, 4400, 4401, 4403, 4499])('does not reconnect after %i', (code) => {
    expect(retries(code)).toBe(false)
  })

  it.each([1001, 1006, 1011, 1012, 1013, 4000, 4399, 4500, 4999])('reconnects after %i', (code) => {
    expect(retries(code)).toBe(true)
  })

  it('accepts only the close codes browsers let a page send', () => {
    expect([1000, 3000, 4401, 4999].every(isUserCloseCode)).toBe(true)
    expect([999, 1001, 1006, 2999, 5000, 3000.5, Number.NaN].some(isUserCloseCode)).toBe(false)
  })
})
