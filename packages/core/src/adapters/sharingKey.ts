import type { UrlOption } from '@lifeline/core'
import type { AnyOptions } from './types.js'

const ids = new WeakMap<object, number>()
let lastId = 0

function identity(value: object): string {
  let id = ids.get(value)
  if (id === undefined) {
    id = ++lastId
    ids.set(value, id)
  }
  return `#${id}`
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return Array.isArray(value) || proto === Object.prototype || proto === null
}

function encode(value: unknown, path: Set<object>, identify: (value: object) => string): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'function') return identify(value)
  if (typeof value !== 'object' || value === null) return String(value)
  // Constructors, class instances (a window, a codec class) and cycles compare by identity.
  if (!isPlain(value) || path.has(value)) return identify(value)
  path.add(value)
  const record = value as Record<string, unknown>
  const body = Array.isArray(value)
    ? value.map((item) => encode(item, path, identify))
    : Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${encode(record[key], path, identify)}`)
  path.delete(value)
  return Array.isArray(value) ? `[${body}]` : `{${body}}`
}

/**
 * The key under which `useSocket(url, options)` shares a socket: the url plus the options'
 * contents. Functions and constructors compare by identity, so an inline options literal
 * keeps its key from render to render while a new inline function does not.
 */
export function sharingKey(url: UrlOption, options: AnyOptions | undefined, identify = identity): string {
  const where = typeof url === 'function' ? identify(url) : JSON.stringify(String(url))
  return `${where} ${encode(options ?? {}, new Set(), identify)}`
}

/** The key with every identity-compared value blanked: equal shapes differ only by identity. */
export function sharingShape(url: UrlOption, options: AnyOptions | undefined): string {
  return sharingKey(url, options, () => '?')
}
