import { type SharedEntry, sharingShape } from '@lifeline/core/adapters'
import { useEffect, useRef } from 'react'

/** Commits in a row whose key changed only by function identity before the warning. */
const CHURN_LIMIT = 3

/**
 * Warns once when `useSocket(url, options)` gets a new socket on every commit because a
 * function in its url or options is created anew each render: each one is a new connection.
 */
export function useChurnWarning(entry: SharedEntry | null): void {
  const last = useRef({ key: '', shape: '', count: 0, warned: false })
  useEffect(() => {
    if (!entry) return
    const seen = last.current
    const shape = sharingShape(entry.url, entry.options)
    seen.count = seen.key !== entry.key && seen.shape === shape ? seen.count + 1 : 0
    seen.key = entry.key
    seen.shape = shape
    if (seen.count < CHURN_LIMIT || seen.warned) return
    seen.warned = true
    console.warn(
      '[lifeline] useSocket(url, options) made a new socket on each of the last renders because a function in ' +
        'its url or options (onOpen, shouldReconnect, a url function, …) is new each time. Functions are part of ' +
        'the sharing key by identity: define them outside the component or wrap them in useCallback.',
    )
  }, [entry])
}
