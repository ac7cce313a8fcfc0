// Samples of docs/vue.md that are parts of a component's setup. Each region is pasted into the
// guide as it is. The samples that are whole files live where the guide names them, in vue/.
import type { Socket } from '@lifeline/core'
import { useLastMessage, useMessages, useSocket, useSocketEvent } from '@lifeline/vue'
import { computed, defineProps, type ShallowRef } from 'vue'
import type { Incoming, Outgoing } from './vue/messages'
import { useLive } from './vue/useLive'

declare function notify(text: string): void

/** Compiles only when `A` and `B` are the same type: checks the types the samples' comments name. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function assertType<_T extends true>() {}

export function events() {
  // #region use-socket-event
  const socket = useSocket<Incoming, Outgoing>()

  useSocketEvent('chat', (msg) => notify(`${msg.from}: ${msg.text}`), socket)
  useSocketEvent('drop', ({ type, reason }) => console.warn(`not sent: ${type} (${reason})`), socket)
  // #endregion
}

export function lastMessage(socket: Socket<Incoming, Outgoing>) {
  // #region use-last-message
  const presence = useLastMessage('presence', socket)
  const online = computed(() => presence.value?.online ?? [])
  // #endregion
  assertType<Same<typeof online.value, string[]>>()
}

// In a component's <script setup>, where `defineProps` is a compiler macro; imported here for its type.
export function reactiveUrl() {
  // #region reactive-url
  const props = defineProps<{ room: string }>()
  const socket = useSocket<Incoming, Outgoing>(() => `wss://example.com/rooms/${props.room}`)
  // #endregion
  return socket
}

export function typing() {
  // #region typing
  const socket = useSocket<Incoming, Outgoing>('wss://example.com/live')

  socket.send('chat', { text: 'hi' }) // checked against Outgoing
  useSocketEvent('chat', (msg) => msg.text, socket) // msg: { from: string; text: string }
  const last = useLastMessage('presence', socket) // Readonly<ShallowRef<{ online: string[] } | undefined>>
  const all = useMessages('chat', {}, socket) // Readonly<ShallowRef<readonly { from: string; text: string }[]>>

  // @ts-expect-error: 'chatt' is not an incoming type
  useSocketEvent('chatt', () => {}, socket)
  // #endregion
  // @ts-expect-error: the payload is checked against Outgoing
  socket.send('chat', { txt: 'hi' })
  useSocketEvent('chat', (msg) => assertType<Same<typeof msg, { from: string; text: string }>>(), socket)
  assertType<Same<typeof last, Readonly<ShallowRef<{ online: string[] } | undefined>>>>()
  assertType<Same<typeof all, Readonly<ShallowRef<readonly { from: string; text: string }[]>>>>()
}

export function live() {
  // #region use-live-usage
  const live = useLive()
  const messages = useMessages('chat', {}, live)
  // #endregion
  assertType<Same<typeof messages.value, readonly Incoming['chat'][]>>()
}
