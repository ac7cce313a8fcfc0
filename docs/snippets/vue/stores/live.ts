// A sample of docs/vue.md, at the path the guide names, so its imports resolve as in an app.
// #region pinia
// stores/live.ts
import { useMessages, useSocket, useSocketState } from '@lifeline/vue'
import { defineStore } from 'pinia'
import type { Incoming, Outgoing } from '../messages'

export const useLiveStore = defineStore('live', () => {
  const socket = useSocket<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })
  const { status, queued } = useSocketState(socket)
  const messages = useMessages('chat', { limit: 500 }, socket)

  function say(text: string) {
    return socket.send('chat', { text })
  }

  return { socket, status, queued, messages, say }
})
// #endregion
