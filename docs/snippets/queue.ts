// Samples of docs/queue.md. Each region is pasted into the guide as it is.
import {
  connect,
  isLifelineError,
  type QueueStore,
  type Socket,
  type StoredItem,
  webStorageQueue,
} from '@lifeline/core'

interface Incoming {
  chat: { from: string; text: string }
  authed: { user: string }
}
interface Outgoing {
  auth: { token: string }
  join: { room: string }
  chat: { text: string }
  typing: { active: boolean }
}

declare function fetchSocketToken(): Promise<string>
declare function showUnsent(text: string, reason: string): void
declare function markDelivered(text: string): void
declare const pendingBadge: HTMLElement
declare const database: {
  read(key: string): Promise<StoredItem[]>
  write(key: string, items: StoredItem[]): Promise<void>
}

export function settings() {
  // #region settings
  const socket = connect<Incoming, Outgoing>('wss://example.com/live', {
    queue: {
      maxMessages: 1000, // most messages kept
      maxBytes: 1_048_576, // most bytes kept (UTF-8 bytes of the encoded frames)
      overflow: 'drop-oldest', // 'drop-oldest' | 'drop-newest' | 'error'
      ttl: Infinity, // ms a message may wait before it is dropped as 'expired'
    },
  })
  // `queue: false` keeps nothing: a send while not open is dropped with reason 'offline'.
  // #endregion
  return socket
}

export function drops(socket: Socket<Incoming, Outgoing>) {
  // #region drops
  socket.on('drop', ({ type, data, reason }) => {
    if (type === 'chat') showUnsent((data as Outgoing['chat']).text, reason)
  })
  // #endregion
}

export function badge(socket: Socket<Incoming, Outgoing>) {
  // #region badge
  socket.subscribe(() => {
    const { queued } = socket.getSnapshot()
    pendingBadge.hidden = queued === 0
    pendingBadge.textContent = `${queued} waiting`
  })
  // #endregion
}

export function ephemeral(socket: Socket<Incoming, Outgoing>) {
  // #region ephemeral
  // A typing indicator is worthless a few seconds later: send it only on an open link.
  function sendTyping(active: boolean) {
    if (socket.getSnapshot().status === 'open') socket.send('typing', { active })
  }
  // #endregion
  return sendTyping
}

// #region on-open
const rooms = new Set(['general'])

const socket = connect<Incoming, Outgoing>('wss://example.com/live', {
  // Runs on every (re)connect. Sends through `s` go out first; the queue waits until it settles.
  onOpen: async (s) => {
    s.send('auth', { token: await fetchSocketToken() })
    await nextMessage(s, 'authed') // queued messages go out only once the server accepted us
    for (const room of rooms) s.send('join', { room })
  },
})

/** The next `type` message's data; rejects (so the link is retried) if none comes within `ms`. */
function nextMessage<K extends keyof Incoming & string>(
  s: Socket<Incoming, Outgoing>,
  type: K,
  ms = 5000,
): Promise<Incoming[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop()
      reject(new Error(`no ${type} within ${ms} ms`))
    }, ms)
    const stop = s.once(type, (data) => {
      clearTimeout(timer)
      resolve(data as Incoming[K])
    })
  })
}
// #endregion

// #region delivered
// A request is written again, with the same id, on every new link until the server answers;
// the server runs it once per id (as @lifeline/server does) and replies.
export async function sendChat(text: string) {
  try {
    await socket.request('chat', { text }, { timeout: 30_000 })
    markDelivered(text) // the server has it
  } catch (error) {
    showUnsent(text, isLifelineError(error) ? error.code : 'unknown') // timed out, lost, aborted or refused
  }
}
// #endregion

export function persisted() {
  // #region store
  const socket = connect<Incoming, Outgoing>('wss://example.com/live', {
    // Kept in localStorage: what was not sent survives a reload, a crash or the tab being closed.
    queue: { store: webStorageQueue('chat-outbox'), ttl: 10 * 60_000 },
  })
  socket.on('error', (error) => {
    if (error.code === 'STORE_FAILED') console.warn('not persisted (storage full?)', error.cause)
  })
  // #endregion
  return socket
}

export function ownStore() {
  // #region own-store
  // Any storage will do: load once, save the whole list after every change (batched per task).
  const store: QueueStore = {
    load: () => database.read('outbox'),
    save: (items) => database.write('outbox', items),
  }
  const socket = connect<Incoming, Outgoing>('wss://example.com/live', { queue: { store } })
  // #endregion
  return socket
}
