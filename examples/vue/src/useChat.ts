import { useLastMessage, useMessages, useSocketEvent, useSocketState } from '@lifeline/vue'
import { computed, ref, watch } from 'vue'
import { isOwn, nextId, savedName, saveName, type Unconfirmed } from '../../shared/chat'
import type { LiveSocket } from '../../shared/live'

/** The chat: what the server broadcast (`useMessages`), plus ours on their way to it. */
export function useChat(socket: LiveSocket) {
  const { status } = useSocketState(socket)
  const messages = useMessages('chat', { limit: 200 }, socket)
  const presence = useLastMessage('presence', socket)
  const name = ref(savedName())
  const outbox = ref<Unconfirmed[]>([])

  // Say who we are on every (re)connect, and again when the name changes.
  watch(
    [status, name],
    () => {
      if (status.value === 'open') socket.send('hello', { name: name.value })
    },
    { immediate: true },
  )

  // The echo of a message of ours: the server has it, and `messages` shows it.
  useSocketEvent(
    'chat',
    ({ id }) => {
      outbox.value = outbox.value.filter((m) => m.id !== id)
    },
    socket,
  )
  // The queue has just been flushed into the new link.
  useSocketEvent(
    'open',
    () => {
      for (const m of outbox.value) if (m.state === 'queued') m.state = 'sending'
    },
    socket,
  )
  // Left the queue unsent, e.g. the socket was closed for good.
  useSocketEvent(
    'drop',
    ({ data }) => {
      const { id } = data as { id?: string }
      const m = outbox.value.find((m) => m.id === id)
      if (m) m.state = 'dropped'
    },
    socket,
  )

  function send(text: string) {
    const id = nextId()
    const result = socket.send('chat', { text, from: name.value, id }) // 'sent' | 'queued' | 'dropped'
    outbox.value.push({ id, text, at: Date.now(), state: result === 'sent' ? 'sending' : result })
  }

  function rename(value: string) {
    const next = saveName(value, name.value)
    if (next) name.value = next
  }

  return {
    status,
    messages,
    online: computed(() => presence.value?.online ?? []),
    name,
    outbox,
    send,
    rename,
    isOwn,
  }
}
