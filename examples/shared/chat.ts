// The chat's bookkeeping: who we are, and our messages until the server echoes them back.
import type { SendResult } from '@lifeline/core'

/** A message of ours the server has not echoed yet. */
export interface Unconfirmed {
  id: string
  text: string
  at: number
  state: Exclude<SendResult, 'sent'> | 'sending'
}

/** The badge on a message of ours, by its state; none while it is on its way. */
export const BADGES: Record<Unconfirmed['state'], string> = {
  sending: '',
  queued: 'queued until the link is back',
  dropped: 'not sent',
}

const NAME_KEY = 'lifeline-demo:name'
/** Tags the ids of our messages, so we know their echoes. */
const ID_PREFIX = Math.random().toString(36).slice(2, 8)
let counter = 0

/** The name from the last visit, else a made-up `guest-123`. */
export function savedName(): string {
  return localStorage.getItem(NAME_KEY) || `guest-${Math.floor(100 + Math.random() * 900)}`
}

/** Saves `value`, trimmed, for the next visit and returns it; `null`, saving nothing, when empty or `current`. */
export function saveName(value: string, current: string): string | null {
  const next = value.trim()
  if (!next || next === current) return null
  localStorage.setItem(NAME_KEY, next)
  return next
}

/** A fresh id for a message of ours. */
export const nextId = (): string => `${ID_PREFIX}-${++counter}`

/** Whether a message came from this page. */
export const isOwn = (message: { id?: string }): boolean => !!message.id?.startsWith(ID_PREFIX)
