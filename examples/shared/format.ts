// Words for what the socket is doing, shared by the status card and the event log.
import type { CloseInfo, Snapshot, Status } from '@lifeline/core'

export const LABELS: Record<Status, string> = {
  idle: 'Idle',
  connecting: 'Connecting…',
  open: 'Open',
  reconnecting: 'Reconnecting',
  closed: 'Closed',
}

const CLOSE_NAMES: Record<number, string> = {
  1000: 'normal closure',
  1001: 'going away',
  1006: 'dropped without a close frame',
  1012: 'service restart',
  4401: 'unauthorized',
}

const ERROR_TEXT: Record<string, string> = {
  HEARTBEAT_TIMEOUT: 'The heartbeat ping got no answer: the link was silently dead.',
  CONNECT_FAILED: 'The handshake failed: the server is down or refused it.',
  CONNECT_TIMEOUT: 'The handshake got no answer in time.',
}

/** `1006 dropped without a close frame`. */
export function closeText({ code, reason }: CloseInfo): string {
  const name = reason || CLOSE_NAMES[code]
  return name ? `${code} ${name}` : String(code)
}

/** One or two sentences on the current state. */
export function describe(s: Pick<Snapshot, 'status' | 'attempt' | 'lastClose' | 'lastError'>): string {
  switch (s.status) {
    case 'idle':
      return 'Not connected yet.'
    case 'connecting':
      return s.attempt ? `Retry ${s.attempt} under way: opening a new WebSocket…` : 'Opening the WebSocket…'
    case 'open':
      return 'Live. A ping goes out after 2 s of silence; no answer within 2 s more and the link is dropped.'
    case 'reconnecting': {
      const why = s.lastError ? (ERROR_TEXT[s.lastError.code] ?? s.lastError.message) : null
      const close = s.lastClose ? `The link closed with ${closeText(s.lastClose)}.` : ''
      return `${why ?? close} Waiting, with jittered backoff, before retry ${s.attempt}. Messages you send now are queued.`
    }
    case 'closed': {
      const close = s.lastClose ? ` with ${closeText(s.lastClose)}` : ''
      return `Closed${close}. Lifeline will not retry it on its own: press Reconnect now.`
    }
  }
}

/** One figure on the status card. */
export interface Metric {
  label: string
  value: string | number
}

/** The status card's figures at `now`: the attempt, the countdown to the next retry, latency, queue. */
export function metrics(s: Pick<Snapshot, 'attempt' | 'nextRetryAt' | 'latency' | 'queued'>, now: number): Metric[] {
  return [
    { label: 'Attempt', value: s.attempt },
    { label: 'Next retry', value: s.nextRetryAt === null ? '—' : seconds(s.nextRetryAt - now) },
    { label: 'Latency', value: s.latency === null ? '—' : milliseconds(s.latency) },
    { label: 'Queued', value: s.queued },
  ]
}

/** A round trip, `2.7 ms` or `43 ms`: measured on a monotonic clock, it has fractions. */
export function milliseconds(ms: number): string {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`
}

/** `1.5 s`; never negative. */
export function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`
}

/** `14:03:27`. */
export function clock(at = Date.now()): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}
