// What the request scenarios ask, and how they name what each request came to.

/** The text of every request's `{ n, text }` payload. */
export const TEXT = 'x'.repeat(48)

/** An error as an outcome names it: its code, else the start of its message. */
export function describe(error) {
  return typeof error?.code === 'string' ? error.code : String(error?.message ?? error).slice(0, 60)
}

/**
 * Asks `client` for request `n` and passes what it came to, once, to `settle`: `resolved` (with its
 * own reply), `wrong reply`, `rejected <code>`, or `threw <code>` when the call itself threw.
 */
export function ask(client, n, settle) {
  let promise
  try {
    promise = client.request({ n, text: TEXT })
  } catch (error) {
    settle(`threw ${describe(error)}`)
    return
  }
  promise.then(
    (reply) => settle(reply?.n === n ? 'resolved' : 'wrong reply'),
    (error) => settle(`rejected ${describe(error)}`),
  )
}
