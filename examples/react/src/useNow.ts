import { useEffect, useState } from 'react'

/** The time, re-rendering every `every` ms while `active`: for countdowns. */
export function useNow(active: boolean, every = 100): number {
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    if (!active) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), every)
    return () => clearInterval(timer)
  }, [active, every])
  return now
}
