import { LifelineError, type WebSocketConstructor, type WebSocketLike } from '@lifeline/core'

/** Which transport a {@link FallbackWebSocket} uses: a WebSocket, or HTTP (server-sent events down, POSTs up). */
export type FallbackTransport = 'websocket' | 'http'

/** Where the choice of transport is remembered: `sessionStorage` or anything with its three methods. */
export interface FallbackStorage {
  /** The value kept under `key`, or `null`. */
  getItem(key: string): string | null
  /** Keeps `value` under `key`. */
  setItem(key: string, value: string): void
  /** Forgets `key`. */
  removeItem(key: string): void
}

/** The options of {@link FallbackWebSocket.with}. */
export interface FallbackOptions {
  /**
   * The WebSocket constructor tried first, and for the background probes.
   * @default globalThis.WebSocket
   */
  WebSocket?: WebSocketConstructor
  /**
   * The `fetch` of the HTTP transport: its downlink is a streamed response, its uplink POSTs.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch
  /**
   * How long a WebSocket may take to open, in ms, before the HTTP transport is used instead.
   * @default 3000
   */
  openTimeout?: number
  /**
   * While on HTTP, how often a WebSocket is tried again in the background, in ms. When one gets
   * through, the HTTP link closes with 1001 and the socket reconnects over WebSocket.
   * @default 30_000
   */
  probeInterval?: number
  /**
   * `'auto'` tries WebSocket first; `'http'` goes straight to HTTP (and never probes).
   * @default 'auto'
   */
  transport?: 'auto' | 'http'
  /**
   * Where the choice of HTTP is remembered for the session, so the next link does not wait for a
   * WebSocket that will not open; `null` remembers it in memory, for this page or process.
   * @default sessionStorage where there is one, else in memory
   */
  storage?: FallbackStorage | null
  /**
   * The most text held for one server-sent event not yet ended, in characters (never more than its
   * UTF-8 bytes). Past it the downlink is broken or hostile: the link closes with 1009 `event too
   * large`, which the default reconnect policy does not retry. Raise it with the socket's
   * `maxMessageBytes`.
   * @default 16 MiB and 256 characters: a frame of the core's default `maxMessageBytes` and its event's fields
   */
  maxEventSize?: number
}

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3
/** The most text one uplink POST carries, unless a single frame is larger. */
const BATCH = 65_536
/** Tries of one uplink POST before the link counts as lost. */
const TRIES = 3
/** How long a close may wait for the server's echo, in ms. */
const CLOSE_GRACE = 1000

/** Choices remembered where there is no storage: URL -> 'http'. */
const memory = new Map<string, string>()
const inMemory: FallbackStorage = {
  getItem: (key) => memory.get(key) ?? null,
  setItem: (key, value) => void memory.set(key, value),
  removeItem: (key) => void memory.delete(key),
}

// biome-ignore lint/suspicious/noExplicitAny: platform globals, looked up when used
const platform = globalThis as any
const sessionStore = (): FallbackStorage | null => {
  try {
    return platform.sessionStorage ?? null
  } catch {
    return null // a sandboxed frame throws on access
  }
}

/**
 * A WebSocket-like class for `connect(url, { WebSocket: FallbackWebSocket })` that works where
 * WebSockets are blocked: it tries a WebSocket first and, when that cannot open within
 * `openTimeout` or a proxy closes it before anything arrives, speaks the same protocol over HTTP
 * to a `@lifeline/server` hub on the same URL (server-sent events down, numbered POSTs up). The
 * choice is remembered for the session; while on HTTP a WebSocket is probed every
 * `probeInterval` and, once one gets through, the HTTP link closes with 1001 so that the socket
 * reconnects over WebSocket (its queue, requests and channels carry over as across any drop).
 *
 * Over HTTP it carries text frames only (the JSON codec's); `binaryType` and subprotocols apply to
 * the WebSocket.
 *
 * @example
 * ```ts
 * import { connect } from '@lifeline/core'
 * import { FallbackWebSocket } from '@lifeline/core/fallback'
 *
 * const socket = connect('wss://example.com/live', { WebSocket: FallbackWebSocket })
 * // With options:
 * connect(url, { WebSocket: FallbackWebSocket.with({ openTimeout: 5000, probeInterval: 60_000 }) })
 * ```
 */
export class FallbackWebSocket implements WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readyState = CONNECTING
  /** Called once the link is open, whichever transport it took. */
  // biome-ignore lint/suspicious/noExplicitAny: as WebSocketLike, each caller types its events its own way
  onopen: ((event: any) => void) | null = null
  /** Called with `{ data }` for every incoming frame. */
  // biome-ignore lint/suspicious/noExplicitAny: as WebSocketLike, each caller types its events its own way
  onmessage: ((event: any) => void) | null = null
  /** Called when the link failed before it opened; a close follows. */
  // biome-ignore lint/suspicious/noExplicitAny: as WebSocketLike, each caller types its events its own way
  onerror: ((event: any) => void) | null = null
  /** Called with `{ code, reason, wasClean }` when the link ends. */
  // biome-ignore lint/suspicious/noExplicitAny: as WebSocketLike, each caller types its events its own way
  onclose: ((event: any) => void) | null = null
  /** The transport of the link: `null` until it opens. */
  transport: FallbackTransport | null = null
  /** Text waiting for an uplink POST (HTTP), or the WebSocket's own. */
  declare readonly bufferedAmount: number
  /** The WebSocket's `binaryType`; over HTTP every frame is a string. */
  declare binaryType: string
  /** Ends the link at once, without waiting for the other side. */
  declare terminate: () => void
  /** Writes a frame. Over HTTP, a string: anything else throws `ENCODE_FAILED`. */
  declare send: (data: string | ArrayBuffer | ArrayBufferView) => void
  /** Closes the link; over HTTP, after the frames sent before it have been posted. */
  declare close: (code?: number, reason?: string) => void

  /**
   * A subclass with these options, for `connect`'s `WebSocket` option.
   * @throws `INVALID_OPTIONS` for an option of the wrong type.
   */
  static with(options: FallbackOptions): typeof FallbackWebSocket {
    const bad = (name: string) => {
      throw new LifelineError('INVALID_OPTIONS', `fallback: ${name} is not valid`)
    }
    const { openTimeout = 0, probeInterval = 1, transport = 'auto', maxEventSize = 1 } = options ?? bad('options')
    if (!(openTimeout >= 0)) bad('openTimeout')
    if (!(probeInterval > 0)) bad('probeInterval')
    if (!(maxEventSize > 0)) bad('maxEventSize')
    if (transport !== 'auto' && transport !== 'http') bad('transport')
    for (const name of ['WebSocket', 'fetch'] as const)
      if (options[name] !== undefined && typeof options[name] !== 'function') bad(name)
    return class extends FallbackWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols, options)
      }
    }
  }

  /**
   * Opens a link to `url` (`ws:` or `wss:`): a WebSocket first, HTTP where it does not get
   * through. `connect` calls it with two arguments; options come through {@link FallbackWebSocket.with}.
   */
  constructor(url: string | URL, protocols?: string | string[], options: FallbackOptions = {}) {
    const {
      WebSocket: Ws = platform.WebSocket as WebSocketConstructor,
      fetch: get = ((input, init) => platform.fetch(input, init)) as typeof fetch,
      openTimeout = 3000,
      probeInterval = 30_000,
      transport: forced = 'auto',
      maxEventSize = 16_777_472,
    } = options
    const storage = options.storage === undefined ? (sessionStore() ?? inMemory) : (options.storage ?? inMemory)
    const wsUrl = String(url)
    const httpUrl = wsUrl.replace(/^ws/, 'http')
    const at = (op: string) => `${httpUrl}${httpUrl.includes('?') ? '&' : '?'}lifeline=${op}`
    let place: URL
    try {
      place = new URL(httpUrl)
    } catch (cause) {
      throw new LifelineError('INVALID_URL', 'invalid URL', { cause })
    }
    const key = `lifeline:fallback:${place.host}${place.pathname}`
    const self = this
    let ws: WebSocketLike | null = null
    let binaryType = 'blob'
    let opened = false
    let ended = false
    let timer: ReturnType<typeof setTimeout> | undefined
    let probing: ReturnType<typeof setTimeout> | undefined
    // The HTTP transport's session and uplink.
    const stream = new AbortController()
    let sid = ''
    let secret = ''
    let seq = 0
    let posting = false
    let pong = false
    let closing: { code: number; reason: string } | null = null
    let out: string[] = []
    let buffered = 0

    const remember = (choice: string | null) => {
      try {
        if (choice) storage.setItem(key, choice)
        else storage.removeItem(key)
      } catch {
        // A full or refused storage only costs the next link its WebSocket try.
      }
    }
    const opens = (transport: FallbackTransport) => {
      opened = true
      clearTimeout(timer)
      self.transport = transport
      self.readyState = OPEN
      self.onopen?.({ type: 'open' })
    }
    const end = (code: number, reason = '', wasClean = false) => {
      if (ended) return
      ended = true
      clearTimeout(timer)
      clearTimeout(probing)
      stream.abort()
      self.readyState = CLOSED
      if (!opened) self.onerror?.({ type: 'error' })
      self.onclose?.({ type: 'close', code, reason, wasClean })
    }

    // --- HTTP: a streamed GET of server-sent events down, numbered POSTs up.
    const post = (op: string, body: string, tries = TRIES): Promise<void> =>
      get(`${at(op)}&sid=${encodeURIComponent(sid)}&seq=${seq}`, {
        method: 'POST',
        body: `${secret}\n${body}`,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        cache: 'no-store',
      }).then(
        (res) => {
          if (res.ok) return void seq++
          end(res.status === 413 ? 1009 : 1006, `uplink refused: ${res.status}`)
          throw res
        },
        (cause) => {
          if (ended) throw cause
          if (tries > 1) return post(op, body, tries - 1)
          end(1006, 'uplink failed')
          throw cause
        },
      )
    const pump = () => {
      if (posting || ended || self.readyState === CONNECTING) return
      if (out.length) {
        let size = 0
        let count = 0
        while (count < out.length && (count === 0 || size + (out[count] as string).length <= BATCH))
          size += (out[count++] as string).length
        const frames = out.slice(0, count)
        posting = true
        pong = false
        post('send', frames.map((frame) => `${frame.length}:${frame}`).join('')).then(() => {
          posting = false
          out = out.slice(count)
          buffered -= size
          pump()
        }, noop)
      } else if (closing) {
        posting = true
        post('close', JSON.stringify(closing)).then(() => {
          timer = setTimeout(() => end(closing?.code ?? 1000, closing?.reason, true), CLOSE_GRACE)
        }, noop)
      } else if (pong) {
        posting = true
        pong = false
        post('send', '').then(() => {
          posting = false
          pump()
        }, noop)
      }
    }
    const probe = () => {
      if (forced === 'http' || typeof Ws !== 'function') return
      probing = setTimeout(() => {
        let tried: WebSocketLike
        try {
          tried = new Ws(at('probe').replace(/^http/, 'ws'))
        } catch {
          return probe()
        }
        const cut = setTimeout(() => tried.close(), openTimeout)
        tried.onerror = noop
        tried.onclose = (event: { code: number; reason: string }) => {
          clearTimeout(cut)
          if (ended || closing) return
          if (event.code !== 1000 || event.reason !== 'probe') return probe()
          remember(null)
          close(1001, 'websocket available')
        }
      }, probeInterval)
    }
    const http = () => {
      self.transport = 'http'
      get(at('stream'), { headers: { accept: 'text/event-stream' }, cache: 'no-store', signal: stream.signal })
        .then(async (res) => {
          if (!res.ok || !res.body) throw res
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
          let text = ''
          let close = { code: 1006, reason: '', wasClean: false }
          for (;;) {
            const { value, done } = await reader.read()
            if (done || ended) break
            text += value
            let cut = text.indexOf('\n\n')
            while (cut >= 0) {
              let event = 'message'
              let data: string | null = null
              for (const line of text.slice(0, cut).split('\n')) {
                const colon = line.indexOf(':')
                const field = line.slice(0, colon < 0 ? line.length : colon)
                const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1))
                if (field === 'event') event = value
                else if (field === 'data') data = data === null ? value : `${data}\n${value}`
              }
              text = text.slice(cut + 2)
              cut = text.indexOf('\n\n')
              if (data === null || ended) continue
              if (event === 'message') self.onmessage?.({ type: 'message', data })
              else if (event === 'ping') {
                pong = true
                pump()
              } else if (event === 'close') close = { ...JSON.parse(data), wasClean: true }
              else if (event === 'open' && !opened) {
                ;({ sid, key: secret } = JSON.parse(data))
                if (forced !== 'http') remember('http')
                opens('http')
                probe()
                pump()
              }
            }
            // An event that never ends: a broken or hostile downlink, cut before it holds more.
            if (text.length > maxEventSize) return end(1009, 'event too large')
          }
          end(close.code, close.reason, close.wasClean)
        })
        .catch(() => end(1006))
    }

    // --- WebSocket first, unless HTTP was chosen for this session.
    const websocket = () => {
      const socket = new Ws(wsUrl, protocols)
      ws = socket
      socket.binaryType = binaryType
      let received = false
      const fallBack = () => {
        if (ws !== socket) return
        ws = null
        socket.onopen = socket.onmessage = socket.onerror = socket.onclose = noop
        clearTimeout(timer)
        try {
          socket.close()
        } catch {
          // closing a socket that never opened may throw in some implementations
        }
        if (!ended) http()
      }
      timer = setTimeout(fallBack, openTimeout)
      socket.onopen = () => opens('websocket')
      socket.onmessage = (event: unknown) => {
        received = true
        self.onmessage?.(event)
      }
      socket.onerror = (event: unknown) => {
        if (opened) self.onerror?.(event)
      }
      socket.onclose = (event: { code: number; reason: string; wasClean: boolean }) => {
        if (!opened) return fallBack()
        // Opened, then cut before anything arrived: a proxy that lets the upgrade through and no frame (SignalR#4686).
        if (!received && event.code === 1006) remember('http')
        ended = true
        self.readyState = CLOSED
        self.onclose?.(event)
      }
    }

    function close(code = 1000, reason = '') {
      if (ended || self.readyState >= CLOSING) return
      if (ws && opened) {
        self.readyState = CLOSING
        return ws.close(code, reason)
      }
      if (!opened || self.transport !== 'http') {
        if (ws) ws.onclose = noop
        ws?.close()
        return end(1006)
      }
      self.readyState = CLOSING
      closing = { code, reason }
      pump()
    }

    Object.defineProperties(this, {
      bufferedAmount: { get: () => (ws ? (ws.bufferedAmount ?? 0) : buffered) },
      binaryType: {
        get: () => binaryType,
        set(value: string) {
          binaryType = value
          if (ws) ws.binaryType = value
        },
      },
    })
    this.send = (data) => {
      if (ws) return ws.send(data)
      if (typeof data !== 'string')
        throw new LifelineError('ENCODE_FAILED', 'the HTTP fallback carries text frames only')
      if (self.readyState !== OPEN) return
      // The frames of one turn go in one POST.
      if (!out.length) queueMicrotask(pump)
      out.push(data)
      buffered += data.length
    }
    this.close = close
    this.terminate = () => {
      if (ws) {
        ws.onclose = noop
        ws.terminate ? ws.terminate() : ws.close()
      }
      end(1006)
    }
    let chosen: string | null = null
    try {
      chosen = storage.getItem(key)
    } catch {
      // unreadable storage: try WebSocket
    }
    if (forced === 'http' || chosen === 'http' || typeof Ws !== 'function') http()
    else websocket()
  }
}

const noop = () => {}
