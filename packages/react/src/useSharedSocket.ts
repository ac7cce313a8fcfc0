import type { UrlOption } from '@lifeline/core'
import { type AnyOptions, type AnySocket, release, retain, sharedEntry } from '@lifeline/core/adapters'
import { useEffect, useReducer } from 'react'
import { serverSocket, useIsServer } from './serverSocket.js'
import { useChurnWarning } from './useChurnWarning.js'

const bump = (n: number) => n + 1

/**
 * The ref-counted socket for `url` + `options` behind `useSocket(url)` and
 * `<SocketProvider url>`; `null` without a url. Render only looks the socket up (creating
 * it idle); the effect counts the user and opens it, so the server never connects.
 */
export function useSharedSocket(url: UrlOption | undefined, options: AnyOptions | undefined): AnySocket | null {
  const server = useIsServer()
  const [, rerender] = useReducer(bump, 0)
  const entry = url === undefined || server ? null : sharedEntry(url, options)
  useEffect(() => {
    if (!entry) return
    const live = retain(entry)
    if (live !== entry) rerender() // the rendered socket was disposed meanwhile: render the live one
    return () => release(live)
  }, [entry])
  useChurnWarning(entry)
  if (url === undefined) return null
  return entry ? entry.socket : serverSocket
}
