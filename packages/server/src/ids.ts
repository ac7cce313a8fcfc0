import { randomBytes } from 'node:crypto'

/** 64 random bits per process, so ids never repeat across processes and restarts. */
const prefix = randomBytes(8).toString('hex')
let counter = 0

/**
 * A new id, unique across every process of every instance: the process's random prefix and a
 * counter (`<16 hex>.<base 36>`). Peers and the requests the server sends draw from it.
 */
export const nextId = (): string => `${prefix}.${(++counter).toString(36)}`
