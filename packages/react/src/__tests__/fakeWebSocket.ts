import type { WebSocketLike } from '@lifeline/core'

/**
 * A WebSocket double driven by the test: it opens, receives and closes only when told, so
 * every step is explicit. `FakeWebSocket.instances` counts the connections made.
 */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = []

  static reset(): void {
    FakeWebSocket.instances = []
  }

  static get last(): FakeWebSocket {
    const ws = FakeWebSocket.instances.at(-1)
    if (!ws) throw new Error('no FakeWebSocket was created')
    return ws
  }

  readyState = 0
  binaryType = 'blob'
  closedWith: { code?: number; reason?: string } | null = null
  // biome-ignore lint/suspicious/noExplicitAny: matches WebSocketLike
  onopen: ((event: any) => void) | null = null
  // biome-ignore lint/suspicious/noExplicitAny: matches WebSocketLike
  onclose: ((event: any) => void) | null = null
  // biome-ignore lint/suspicious/noExplicitAny: matches WebSocketLike
  onerror: ((event: any) => void) | null = null
  // biome-ignore lint/suspicious/noExplicitAny: matches WebSocketLike
  onmessage: ((event: any) => void) | null = null
  readonly sent: unknown[] = []

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this)
  }

  send(frame: string | ArrayBuffer | ArrayBufferView): void {
    this.sent.push(JSON.parse(String(frame)))
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason }
    this.readyState = 2
  }

  get closed(): boolean {
    return this.readyState >= 2
  }

  // ---- the server's side ----

  serverOpen(): void {
    this.readyState = 1
    this.onopen?.({ type: 'open' })
  }

  /** Delivers `{ type, data }` as one JSON frame. */
  serverSend(type: string, data?: unknown): void {
    this.onmessage?.({ type: 'message', data: JSON.stringify({ type, data }) })
  }

  serverClose(code = 1006, reason = ''): void {
    this.readyState = 3
    this.onclose?.({ type: 'close', code, reason, wasClean: code !== 1006 })
  }
}
