// Samples of docs/reconnection.md. Each region is pasted into the guide as it is.
import { backoffDelay, connect, defaultShouldReconnect, type Socket } from '@lifeline/core'

interface Incoming {
  chat: { from: string; text: string }
}
interface Outgoing {
  chat: { text: string }
}

declare function fetchSocketToken(): Promise<string>
declare function showOfflineNotice(onRetry: () => void): void

export function settings() {
  // #region settings
  const socket = connect<Incoming, Outgoing>('wss://example.com/live', {
    connectTimeout: 10_000,
    reconnect: {
      initialDelay: 1800, // cap of the first retry's delay
      maxDelay: 3000, // the largest cap
      factor: 2, // the cap doubles per failed attempt
      jitter: 'full', // 'full' | 'equal' | 'none'
      maxAttempts: Infinity, // retries before giving up
      stableAfter: 5000, // open this long before the attempt counter returns to 0
      shouldReconnect: defaultShouldReconnect, // see the close codes guide
    },
  })
  // #endregion
  return socket
}

export function previewDelays() {
  // #region preview
  const options = { initialDelay: 1000, maxDelay: 30_000, factor: 2, jitter: 'none' } as const
  const caps = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, options))
  // [1000, 2000, 4000, 8000, 16000, 30000, 30000]
  // #endregion
  return caps
}

export function freshToken() {
  // #region fresh-token
  const socket = connect<Incoming, Outgoing>(async () => {
    const token = await fetchSocketToken() // runs before every attempt
    return `wss://example.com/live?token=${encodeURIComponent(token)}`
  })
  // #endregion
  return socket
}

export function giveUp() {
  // #region give-up
  const socket = connect<Incoming, Outgoing>('wss://example.com/live', {
    reconnect: { maxAttempts: 8 },
  })
  socket.on('close', ({ willReconnect }) => {
    if (!willReconnect) showOfflineNotice(() => socket.open())
  })
  // #endregion
  return socket
}

// #region reconnect-banner
/**
 * Shows "Reconnecting in 4 s (attempt 2)…" while the link is down, with a countdown and a
 * "Retry now" button. Returns a function that removes every listener and timer it added.
 */
export function mountReconnectBanner(
  socket: Socket,
  banner: HTMLElement,
  message: HTMLElement,
  retry: HTMLButtonElement,
): () => void {
  let countdown: ReturnType<typeof setInterval> | undefined

  const render = () => {
    const { status, attempt, nextRetryAt } = socket.getSnapshot()
    banner.hidden = status === 'open' || status === 'idle'
    retry.hidden = status !== 'reconnecting' && status !== 'closed'
    if (status === 'reconnecting' && nextRetryAt !== null) {
      const seconds = Math.max(0, Math.ceil((nextRetryAt - Date.now()) / 1000))
      message.textContent = `Connection lost. Reconnecting in ${seconds} s (attempt ${attempt})…`
    } else if (status === 'connecting') {
      message.textContent = 'Connecting…'
    } else if (status === 'closed') {
      message.textContent = 'Disconnected.'
    }
  }

  const update = () => {
    render()
    const waiting = socket.getSnapshot().status === 'reconnecting'
    if (waiting && countdown === undefined) countdown = setInterval(render, 1000)
    if (!waiting && countdown !== undefined) {
      clearInterval(countdown)
      countdown = undefined
    }
  }

  // reconnect() skips the wait while reconnecting, and reopens a socket that gave up.
  const onRetry = () => socket.reconnect()
  retry.addEventListener('click', onRetry)
  const unsubscribe = socket.subscribe(update)
  update()

  return () => {
    unsubscribe()
    clearInterval(countdown)
    retry.removeEventListener('click', onRetry)
  }
}
// #endregion

export function mountBanner(socket: Socket) {
  // #region mount-banner
  const unmount = mountReconnectBanner(
    socket,
    document.querySelector<HTMLElement>('#banner')!,
    document.querySelector<HTMLElement>('#banner-message')!,
    document.querySelector<HTMLButtonElement>('#banner-retry')!,
  )
  // later, when the page or component goes away: unmount()
  // #endregion
  return unmount
}
