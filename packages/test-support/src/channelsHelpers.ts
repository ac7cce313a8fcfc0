import type { JoinReply } from '@lifeline/core/protocol/channels'
import { vi } from 'vitest'
import type { FakeWebSocket } from './fakeWebSocket.js'

/** A client frame as the fake server reads it. */
export interface Sent {
  type?: string
  id?: string
  // biome-ignore lint/suspicious/noExplicitAny: frames of every kind
  data?: any
}

/** The frames of `type` the client sent on `ws`. */
export const sentOf = (ws: FakeWebSocket, type: string): Sent[] =>
  (ws.messages as Sent[]).filter((message) => message.type === type)

/** The last `$join` the client sent on `ws`. */
export function lastJoin(ws: FakeWebSocket): Sent {
  const join = sentOf(ws, '$join').at(-1)
  if (!join) throw new Error('no $join was sent')
  return join
}

/** Answers the last `$join` on `ws` as the server does. */
export function answerJoin(ws: FakeWebSocket, reply: Partial<JoinReply> & { epoch: string; offset: number }): void {
  ws.serverSend({ re: lastJoin(ws).id, data: { recovered: false, ...reply } })
}

/** Refuses the last `$join` on `ws`. */
export function refuseJoin(ws: FakeWebSocket, message = 'not allowed'): void {
  ws.serverSend({ re: lastJoin(ws).id, error: { code: 'JOIN_REFUSED', message } })
}

/** Sends publications `from`..`to` of `channel` in `epoch`, whose payload is `p<offset>`. */
export function publish(ws: FakeWebSocket, from: number, to = from, epoch = 'e1', channel = 'room'): void {
  for (let o = from; o <= to; o++) ws.serverSend({ ch: channel, e: epoch, o, data: `p${o}` })
}

/** Lets the join's answer (a promise) settle. */
export const flush = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(0)
}
