// The demo's rooms, as the apps show them: a room is the channel `room:<name>` of the demo server
// (examples/server/rooms.js), its lines `{ from, text, at }`.
import type { ChannelStatus } from '@lifeline/core/channels'

/** One line of a room. */
export interface RoomLine {
  from: string
  text: string
  at: number
}

/** The room the apps join. */
export const LOBBY = 'room:lobby'

/** The channel's state in a few words: `joined · recovered` after a join that missed nothing. */
export function roomLabel(status: ChannelStatus, recovered: boolean, error: { code: string } | null): string {
  if (status === 'joined') return recovered ? 'joined · recovered' : 'joined · live'
  return error ? `${status} · ${error.code}` : status
}

/** Asks the server to publish `count` lines into the lobby (`POST /control/publish`). */
export async function serverPublishes(count: number): Promise<void> {
  const response = await fetch(`/control/publish?room=lobby&count=${count}`, { method: 'POST' })
  if (!response.ok) throw new Error(((await response.json()) as { error?: string }).error ?? response.statusText)
}
