// Samples of docs/requests.md. Each region is pasted into the guide as it is.
import { connect, isLifelineError, type LifelineError, type Socket } from '@lifeline/core'
import { useRequest } from '@lifeline/vue'
import { computed, watch } from 'vue'

declare function render(name: string): void
declare function show(text: string): void
declare function markUnsent(id: string | undefined, reason: string): void
declare const cancelButton: HTMLButtonElement
declare const props: { id: string }

/** Compiles only when `A` and `B` are the same type: checks the types the samples' comments name. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<_T extends true>() {}

// #region maps
interface Incoming {
  chat: { from: string; text: string }
  confirm: { text: string }
  clipboard: undefined
}
interface Outgoing {
  chat: { text: string }
  getUser: { id: string }
  placeOrder: { sku: string; quantity: number }
}
// Reply types, keyed by the outgoing type asked.
interface Replies {
  getUser: { name: string }
  placeOrder: { orderId: string }
}

// #endregion
export type { Incoming, Outgoing, Replies }

export async function ask() {
  // #region request
  const socket = connect<Incoming, Outgoing, Replies>('wss://example.com/live', { heartbeat: true })

  const user = await socket.request('getUser', { id: '42' }) // { name: string }
  render(user.name)
  // #endregion
  assertType<Same<typeof user, { name: string }>>()
  return socket
}

export async function outcomes(socket: Socket<Incoming, Outgoing, Replies>) {
  // #region outcomes
  try {
    const { orderId } = await socket.request('placeOrder', { sku: 'tea', quantity: 2 })
    show(`Order ${orderId} placed`)
  } catch (error) {
    if (!isLifelineError(error)) throw error
    switch (error.code) {
      case 'REQUEST_FAILED': // the server answered with an error: it is the cause
        show(`Refused: ${error.message}`)
        break
      case 'REQUEST_TIMEOUT': // no reply in time: the server may or may not have done it
        show('No answer yet; check your orders before trying again')
        break
      case 'REQUEST_LOST': // can no longer be answered: closed for good, or dropped from the queue
      case 'REQUEST_ABORTED': // your signal aborted it
        show('Not placed')
    }
  }
  // #endregion
}

export function timeouts() {
  // #region timeouts
  const socket = connect<Incoming, Outgoing, Replies>('wss://example.com/live', {
    requestTimeout: 5000, // the default for every request (10_000 unless set)
  })
  socket.request('getUser', { id: '42' }) // 5 s from when it is written
  socket.request('getUser', { id: '43' }, { timeout: 30_000 }) // this one: 30 s
  socket.request('placeOrder', { sku: 'tea', quantity: 1 }, { timeout: Infinity }) // no timeout
  // At most 60 s from the call, time queued while offline included: REQUEST_ABORTED after that.
  socket.request('getUser', { id: '44' }, { signal: AbortSignal.timeout(60_000) })
  // #endregion
}

export function aborting(socket: Socket<Incoming, Outgoing, Replies>) {
  // #region abort
  const controller = new AbortController()
  cancelButton.onclick = () => controller.abort('cancelled by the user')

  socket.request('getUser', { id: '42' }, { signal: controller.signal }).catch((error: LifelineError) => {
    if (error.code === 'REQUEST_ABORTED') console.log(error.cause) // 'cancelled by the user'
  })
  // #endregion
}

export function atMostOnce(socket: Socket<Incoming, Outgoing, Replies>) {
  // #region resend-false
  // Not written twice, whatever happens to the link: REQUEST_LOST if it drops before the reply.
  socket.request('placeOrder', { sku: 'tea', quantity: 2 }, { resend: false })
  // #endregion
}

export function drops(socket: Socket<Incoming, Outgoing, Replies>) {
  // #region drops
  socket.on('drop', ({ type, id, reason }) => {
    // `id` is set for requests; their promise rejects with REQUEST_LOST, `reason` as its cause.
    if (id !== undefined) markUnsent(id, reason)
    else console.warn(`not sent: ${type} (${reason})`)
  })
  // #endregion
}

export function pending(socket: Socket<Incoming, Outgoing, Replies>) {
  // #region pending
  socket.subscribe(() => {
    const { pending, queued } = socket.getSnapshot()
    document.title = pending > 0 ? `Saving… (${pending})` : 'Saved'
    console.log(`${queued} messages and requests wait for the link`)
  })
  // #endregion
}

export function handling(socket: Socket<Incoming, Outgoing, Replies>) {
  // #region handle
  // The server asks, the client answers: the return value (awaited) is the reply's data.
  const stop = socket.handle('confirm', async ({ text }) => window.confirm(text))

  // A throw or rejection is an error reply: { "re": id, "error": { "code": "…", "message": "…" } }.
  socket.handle('clipboard', async () => {
    if (!navigator.clipboard) throw Object.assign(new Error('no clipboard here'), { code: 'UNSUPPORTED' })
    return navigator.clipboard.readText()
  })
  stop() // `confirm` requests are ordinary `confirm` events again, and get no reply
  // #endregion
}

export function vueSetup(socket: Socket<Incoming, Outgoing, Replies>) {
  // #region vue
  // In a component's <script setup>:
  const user = useRequest('getUser', socket)
  watch(
    () => props.id,
    (id) => user.send({ id }),
    { immediate: true },
  )
  const label = computed(() => (user.pending.value ? 'Loading…' : (user.data.value?.name ?? user.error.value?.code)))
  // #endregion
  return label
}
