// One clock for every process: epoch milliseconds with sub-millisecond precision, so times
// taken in the server child and in the client process can be compared directly.
export const now = () => performance.timeOrigin + performance.now()

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `predicate` every `every` ms until it is true (→ true) or `timeout` ms passed (→ false). */
export async function waitFor(predicate, timeout, every = 5) {
  const deadline = now() + timeout
  while (!predicate()) {
    if (now() >= deadline) return false
    await sleep(every)
  }
  return true
}

/** Settles with `promise`, or with `fallback` after `ms` milliseconds, whichever comes first. */
export function withTimeout(promise, ms, fallback = 'timeout') {
  let timer
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms)
  })
  return Promise.race([promise, late]).finally(() => clearTimeout(timer))
}
