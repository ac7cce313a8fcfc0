import { after } from './clock.js'
import { frameBytes } from './codec.js'
import { fail, type LifelineError } from './errors.js'
import type { Outgoing, QueuedMessage } from './types.js'

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
 * when the socket is created, and the first flush waits for it (5 s at most); `save` after every
 * change once `load` has settled, with everything waiting, oldest first, one save at a time.
 * Either may be async; a throw or rejection, malformed items (left out) or a load that does not
 * settle in time are reported as `STORE_FAILED`, and the in-memory queue carries on.
 * {@link webStorageQueue} is the built-in one.
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

/** How long a socket waits for its store's `load`, in ms, before it carries on without it. */
export const LOAD_TIMEOUT = 5000

/** What persistence asks of its socket. */
export interface PersistenceHost {
  /** The socket's monotonic clock. */
  now(): number
  /** Everything waiting now, oldest first. */
  waiting(): Array<Outgoing & { expiresAt?: number }>
  /** Reads a frame with the socket's codec. */
  decode(frame: string | ArrayBuffer): unknown
  /** Takes the loaded messages into the queue, ahead of everything queued. */
  adopt(messages: QueuedMessage[]): void
  report(error: LifelineError): void
}

/** Loads once and saves after changes, batched to one save per task. */
export interface Persistence {
  /**
   * Settles once the stored messages were adopted, or the store failed or timed out, or the
   * socket stopped waiting; never rejects.
   */
  readonly loaded: Promise<void>
  /** Something waiting changed: save soon. */
  changed(): void
  /**
   * The socket closed: it no longer waits for the load, and its timer goes, so that a load that
   * never settles cannot keep a process alive. What the load gives later is still adopted.
   */
  stop(): void
}

const toBase64 = (frame: ArrayBuffer | ArrayBufferView) => {
  let text = ''
  for (const byte of ArrayBuffer.isView(frame)
    ? new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength)
    : new Uint8Array(frame))
    text += String.fromCharCode(byte)
  return btoa(text)
}

/** Whether `value` is absent or of type `type`. */
const absentOr = (value: unknown, type: string) => value === undefined || typeof value === type

const isItem = (item: StoredItem | null): item is StoredItem =>
  typeof item?.frame === 'string' &&
  (item.binary === undefined || item.binary === true) &&
  absentOr(item.type, 'string') &&
  absentOr(item.id, 'string') &&
  Number.isFinite(item.expiresAt ?? 0)

/**
 * Keeps a socket's waiting messages in `store`. It loads once, at once, and saves nothing until
 * the load has settled, so a load never reads back what this socket saved, and nothing is
 * saved over items not loaded yet. Saves go one at a time, the latest list each time, so an
 * async store never finishes an older save after a newer one.
 */
export function createPersistence(store: QueueStore, host: PersistenceHost): Persistence {
  let ready = false
  /** A save is due (it waits for the load, or for the save under way). */
  let due = false
  let saving = false
  /** The stored form of each message, made once. */
  const stored = new WeakMap<Outgoing, StoredItem>()
  const failed = (cause: unknown) => host.report(fail('STORE_FAILED', 'queue store failed', cause))

  const toStored = ({ frame, type, id, expiresAt = Infinity }: Outgoing & { expiresAt?: number }): StoredItem => {
    const binary = typeof frame !== 'string' || undefined
    return {
      frame: binary ? toBase64(frame as ArrayBuffer | ArrayBufferView) : (frame as string),
      binary,
      type,
      id,
      // The socket's clock is monotonic: its offset to the wall clock gives the stored time.
      expiresAt: expiresAt === Infinity ? null : expiresAt + Date.now() - host.now(),
    }
  }
  const save = () => {
    if (!ready || saving || !due) return
    due = false
    saving = true
    const items = host.waiting().map((message) => {
      let item = stored.get(message)
      if (!item) {
        item = toStored(message)
        stored.set(message, item)
      }
      return item
    })
    new Promise((resolve) => resolve(store.save(items))).catch(failed).then(() => {
      saving = false
      save()
    })
  }

  /** The payload a stored frame was sent with, for its `drop` event: the codec's reading, or the frame itself. */
  const payload = (type: string | undefined, frame: string | Uint8Array) => {
    if (type !== undefined) {
      try {
        const message = host.decode(typeof frame === 'string' ? frame : (frame.buffer as ArrayBuffer)) as {
          type?: unknown
          data?: unknown
        } | null
        if (message?.type === type) return message.data
      } catch {}
    }
    return frame
  }
  /** The frame of a stored item, or `null` when the item is malformed. */
  const frameOf = (item: StoredItem | null): string | Uint8Array | null => {
    try {
      if (isItem(item))
        return item.binary ? Uint8Array.from(atob(item.frame), (char) => char.charCodeAt(0)) : item.frame
    } catch {}
    return null
  }
  /** The stored items as queued messages; malformed ones are left out and reported once. */
  const read = (items: unknown) => {
    // Nothing stored yet may come back as null or undefined.
    const list: Array<StoredItem | null> = Array.isArray(items) ? items : []
    let malformed = Array.isArray(items) || items == null ? 0 : 1
    const messages: QueuedMessage[] = []
    const offset = host.now() - Date.now()
    for (const item of list) {
      const frame = frameOf(item)
      if (frame === null) {
        malformed++
        continue
      }
      const { type, id, expiresAt } = item as StoredItem
      messages.push({
        type,
        data: payload(type, frame),
        frame,
        id,
        bytes: frameBytes(frame),
        expiresAt: expiresAt == null ? Infinity : expiresAt + offset,
      })
    }
    if (malformed) failed(new TypeError(`${malformed} stored item(s) malformed, left out`))
    return messages
  }

  let stop = () => {}
  const loaded = new Promise<void>((resolve) => {
    // The socket waits this long at most; what the store gives later still goes out, then.
    const timer = after(() => {
      failed(new Error(`load did not settle in ${LOAD_TIMEOUT} ms`))
      resolve()
    }, LOAD_TIMEOUT)
    stop = () => {
      clearTimeout(timer)
      resolve()
    }
    // Called now; a store that throws is reported on a later turn, when the caller can listen.
    new Promise((done) => done(store.load())).then(
      (items) => settle(items),
      (cause) => settle(undefined, cause ?? new Error('load failed')),
    )
  })
  const settle = (items: unknown, cause?: unknown) => {
    ready = true
    stop()
    if (cause === undefined) {
      host.adopt(read(items))
      due = true // what the store holds now differs from the queue: expired or dropped items, a new order
    } else failed(cause)
    save()
  }

  return {
    loaded,
    changed() {
      if (due) return
      due = true
      queueMicrotask(save)
    },
    stop: () => stop(),
  }
}
