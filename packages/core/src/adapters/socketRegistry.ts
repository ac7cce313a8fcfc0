import { connect, type UrlOption } from '@lifeline/core'
import { sharingKey } from './sharingKey.js'
import type { AnyOptions, AnySocket } from './types.js'

/**
 * How long a shared socket outlives its last user, in ms: `0`, so it is disposed on the next
 * macrotask. StrictMode's unmount/remount and a same-commit remount happen before then.
 */
export const GRACE_PERIOD = 0

/** One shared socket and the mounted components using it. */
export interface SharedEntry {
  /** The sharing key of `url` and `options` (see `sharingKey`). */
  readonly key: string
  /** The shared socket, created with `autoConnect: false`. */
  readonly socket: AnySocket
  /** The url it was created with. */
  readonly url: UrlOption
  /** The options it was created with. */
  readonly options: AnyOptions | undefined
  /** The mounted components using it. */
  users: number
  /** Ever retained by a mounted component, so it may have connected and must be disposed. */
  used: boolean
  /** The pending disposal after the last user left, if any. */
  timer: ReturnType<typeof setTimeout> | undefined
}

const entries = new Map<string, SharedEntry>()

function create(key: string, url: UrlOption, options: SharedEntry['options']): SharedEntry {
  // Created idle: nothing connects until a mounted component retains it.
  const socket = connect(url, { ...options, autoConnect: false })
  const entry: SharedEntry = { key, socket, url, options, users: 0, used: false, timer: undefined }
  entries.set(key, entry)
  return entry
}

function sweepLater(entry: SharedEntry): void {
  clearTimeout(entry.timer)
  entry.timer = setTimeout(() => {
    if (entry.users > 0) return
    if (entries.get(entry.key) === entry) entries.delete(entry.key)
    // A socket no component ever retained never connected: forgetting it is enough.
    if (entry.used) entry.socket.dispose()
  }, GRACE_PERIOD)
}

/** During render: the shared entry for `url` + `options`, created idle when there is none. */
export function sharedEntry(url: UrlOption, options: SharedEntry['options']): SharedEntry {
  const key = sharingKey(url, options)
  const found = entries.get(key)
  if (found) return found
  const entry = create(key, url, options)
  sweepLater(entry) // forgotten unless a render that used it commits
  return entry
}

/**
 * After commit: counts a user and opens the socket on its first use. Returns the live entry,
 * which differs from `entry` only when the rendered one was disposed before this commit.
 */
export function retain(entry: SharedEntry): SharedEntry {
  let live = entries.get(entry.key)
  if (!live) {
    live = entry.used ? create(entry.key, entry.url, entry.options) : entry
    entries.set(live.key, live)
  }
  clearTimeout(live.timer)
  live.users++
  live.used = true
  if (live.options?.autoConnect !== false && live.socket.getSnapshot().status === 'idle') live.socket.open()
  return live
}

/** On unmount: the last user's release disposes the socket after {@link GRACE_PERIOD}. */
export function release(entry: SharedEntry): void {
  entry.users--
  if (entry.users === 0) sweepLater(entry)
}
