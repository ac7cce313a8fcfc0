import { frameBytes } from './codec.js'
import { fail, type LifelineError } from './errors.js'
import type { Outgoing, QueuedMessage } from './outbox.js'

/** One stored message: the encoded frame, with what the socket needs to replay it. */
export interface StoredItem {
  /** The encoded frame: text as it is, binary as base64 (then `binary` is set). */
  frame: string
  /** The frame is the base64 of binary bytes. */
  binary?: true
  /** The message type, when it had one. */
  type?: string
  /** The envelope id, for requests (so a replay is deduped by the server). */
  id?: string
  /** When the message expires, in wall-clock epoch ms; `null` for never. */
  expiresAt: number | null
}

/**
 * Where a socket keeps what is waiting to be sent, so it survives a reload or a crash of the page:
 * queued messages never written, and requests written but not answered. `load` is called once,
 * before the first flush; `save` after every change, with everything waiting, oldest first.
 * Either may be async; a throw or rejection is reported as `STORE_FAILED` and the in-memory
 * queue carries on. {@link webStorageQueue} is the built-in one.
 *
 * @example
 * ```ts
 * const memory: StoredItem[] = []
 * const store: QueueStore = { load: () => memory, save: (items) => void memory.splice(0, Infinity, ...items) }
 * connect(url, { queue: { store } })
 * ```
 */
export interface QueueStore {
  /** The items saved last, oldest first. */
  load(): StoredItem[] | Promise<StoredItem[]>
  /** Replaces what is stored with `items`, oldest first. */
  save(items: StoredItem[]): void | Promise<void>
}

/** What persistence asks of its socket. */
export interface PersistenceHost {
  /** The socket's monotonic clock. */
  now(): number
  /** Everything waiting now, oldest first. */
  waiting(): Array<Outgoing & { expiresAt?: number }>
  report(error: LifelineError): void
}

/** Loads once and saves after changes, batched to one save per task. */
export interface Persistence {
  /** The stored items as queued messages (expired ones included: the queue drops them). */
  load(): Promise<QueuedMessage[]>
  /** Something waiting changed: save soon. */
  changed(): void
}

const toBase64 = (bytes: Uint8Array) => {
  let text = ''
  for (const byte of bytes) text += String.fromCharCode(byte)
  return btoa(text)
}
const bytesOf = (frame: ArrayBuffer | ArrayBufferView) =>
  ArrayBuffer.isView(frame) ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength) : new Uint8Array(frame)
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0))

export function createPersistence(store: QueueStore, host: PersistenceHost): Persistence {
  let scheduled = false
  const failed = (cause: unknown) => host.report(fail('STORE_FAILED', 'queue store failed', cause))

  const save = () => {
    scheduled = false
    // Clock offsets turn the socket's monotonic expiry times into wall-clock ones and back.
    const offset = Date.now() - host.now()
    const items = host.waiting().map(({ frame, type, id, expiresAt = Infinity }): StoredItem => {
      const binary = typeof frame !== 'string'
      return {
        frame: binary ? toBase64(bytesOf(frame)) : frame,
        ...(binary && { binary }),
        ...(type !== undefined && { type }),
        ...(id !== undefined && { id }),
        expiresAt: expiresAt === Infinity ? null : expiresAt + offset,
      }
    })
    try {
      Promise.resolve(store.save(items)).catch(failed)
    } catch (cause) {
      failed(cause)
    }
  }

  return {
    async load() {
      let items: StoredItem[]
      try {
        items = await store.load()
      } catch (cause) {
        failed(cause)
        return []
      }
      const offset = host.now() - Date.now()
      return (Array.isArray(items) ? items : []).map(({ frame, binary, type, id, expiresAt }) => {
        const data = binary ? fromBase64(frame) : frame
        return {
          type,
          data,
          frame: data,
          id,
          bytes: frameBytes(data),
          expiresAt: expiresAt === null ? Infinity : expiresAt + offset,
        } as QueuedMessage
      })
    },
    changed() {
      if (scheduled) return
      scheduled = true
      queueMicrotask(save)
    },
  }
}
