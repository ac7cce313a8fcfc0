import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { HttpSession, sseEvent, type Uplink } from './httpSession.js'
import type { Relay } from './relay.js'
import type { WebSocketServerLike } from './types.js'
import { originOf } from './upgrades.js'

/** The query parameter that marks the fallback's requests: `stream`, `send`, `close` (and `probe` on an upgrade). */
export const QUERY = 'lifeline'

/** Whether an upgrade is the fallback client's probe (`?lifeline=probe`): closed with 1000 `probe` at once. */
export function isProbe(request: IncomingMessage): boolean {
  return /[?&]lifeline=probe(&|$)/.test(request.url ?? '')
}

export type { HttpSession }

/** How much an uplink POST may carry besides one frame of `maxMessageBytes`: the client batches up to 64 KiB. */
const BODY_ALLOWANCE = 65_536 + 256

/** What the HTTP transport asks of its hub. */
export interface HttpTransportHost {
  /** The largest frame, in bytes. */
  readonly maxMessageBytes: number
  /** Whether a request's `Origin` may use the hub. */
  originAllowed(origin: string | undefined, request: IncomingMessage): boolean
  /** A session opened: hand it to the hub as a connection. */
  connection(session: HttpSession, request: IncomingMessage): void
  /** An uplink POST over the body limit: the session closes with 1009. */
  oversize(): void
  /** A request refused for its `Origin`. */
  refused(): void
  /** A relay failure, reported as the adapter's. */
  report(cause: unknown): void
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void

type VerifyClient = (
  info: { origin: string; secure: boolean; req: IncomingMessage },
  callback: (verified: boolean, code?: number, message?: string) => void,
) => void

/** The fields of a `ws` server the transport reads: where it listens, on which path, and its upgrade check. */
interface WsServer {
  _server?: Server | null
  options?: { server?: Server | null; verifyClient?: VerifyClient | null; noServer?: boolean }
  shouldHandle?(request: IncomingMessage): boolean
}

/** A session id: its instance, then 128 random bits. */
const sessionId = (instance: string) => `${instance}.${randomBytes(16).toString('base64url')}`
/** The instance a session id names, or `''` for an id no instance could have made. */
const instanceOf = (sid: string) => /^([\w-]{1,64})\.[\w-]{1,64}$/.exec(sid)?.[1] ?? ''

/** The frames of an uplink body after its key line: `<length>:<frame>`, repeated; `null` if malformed. */
export function parseFrames(text: string, from: number): string[] | null {
  const frames: string[] = []
  let at = from
  while (at < text.length) {
    const colon = text.indexOf(':', at)
    const length = Number(text.slice(at, colon))
    if (colon < 0 || colon - at > 9 || !Number.isInteger(length) || length < 0 || colon + 1 + length > text.length)
      return null
    frames.push(text.slice(colon + 1, colon + 1 + length))
    at = colon + 1 + length
  }
  return frames
}

/** The uplink a POST body carries: its key (first line), then frames or, for `close`, `{code, reason}`. */
function parseUplink(op: string, body: string): [key: string, uplink: Uplink] | null {
  const newline = body.indexOf('\n')
  if (newline < 0) return null
  const key = body.slice(0, newline)
  if (op === 'send') {
    const frames = parseFrames(body, newline + 1)
    return frames && [key, { frames }]
  }
  try {
    const { code, reason } = JSON.parse(body.slice(newline + 1)) as { code?: unknown; reason?: unknown }
    // The codes a WebSocket client may send, and 1001 (going away: the client moves to a WebSocket).
    const valid =
      code === 1000 ||
      code === 1001 ||
      (typeof code === 'number' && Number.isInteger(code) && code >= 3000 && code < 5000)
    return [
      key,
      { close: { code: valid ? code : 1000, reason: typeof reason === 'string' ? reason.slice(0, 123) : '' } },
    ]
  } catch {
    return null
  }
}

/** Whether a POST's key is its session's, in constant time (byte lengths first: a key of other characters may differ there). */
function sameKey(given: string, key: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(key)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Serves Lifeline's HTTP fallback on the `http.Server` of a `ws` server, at its path: takes over
 * the server's `request` listeners (your app's, or `ws`'s own 426 answer) and calls them for
 * every request that is not the fallback's. A `ws` server without an HTTP server of its own
 * (`noServer`) has its requests handed over by the app, through `handle`.
 */
export function serveHttp(wss: WebSocketServerLike, host: HttpTransportHost, relay: Relay | null) {
  const ws = wss as WebSocketServerLike & WsServer
  const found = ws._server ?? ws.options?.server
  const server = found && typeof found.listeners === 'function' ? found : null
  const instance = relay?.instance ?? randomBytes(8).toString('hex')
  const sessions = new Map<string, HttpSession>()
  const own = (server?.listeners('request') ?? []) as Listener[]
  server?.removeAllListeners('request')

  const reply = (res: ServerResponse, status: number, headers: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return
    res.writeHead(status, { 'cache-control': 'no-store', ...headers }).end()
  }

  const forward = (to: string, message: string) =>
    new Promise((resolve) => resolve(relay?.forward(to, message))).catch((cause) => host.report(cause))

  /** Hands an uplink to its session, here or, through the relay, on its instance. */
  function deliver(sid: string, seq: number, key: string, uplink: Uplink, res: ServerResponse | null) {
    const session = sessions.get(sid)
    if (!session) {
      if (res && relay && instanceOf(sid) !== instance && instanceOf(sid) !== '') {
        forward(instanceOf(sid), JSON.stringify({ sid, seq, key, uplink }))
        return reply(res, 202)
      }
      return res && reply(res, 404)
    }
    if (!sameKey(key, session.key)) return res && reply(res, 403)
    const status = session.receive(seq, uplink, res && ((status) => reply(res, status)))
    if (status !== null && res) reply(res, status)
  }

  function open(req: IncomingMessage, res: ServerResponse, cors: Record<string, string>) {
    const start = () => {
      const session = new HttpSession(sessionId(instance), randomBytes(16).toString('base64url'), res)
      sessions.set(session.id, session)
      session.on('close', () => sessions.delete(session.id))
      res.writeHead(200, {
        ...cors,
        'content-type': 'text/event-stream',
        'cache-control': 'no-store, no-transform',
        'x-accel-buffering': 'no',
      })
      res.write(sseEvent(JSON.stringify({ sid: session.id, key: session.key }), 'open'))
      host.connection(session, req)
    }
    const verify = ws.options?.verifyClient
    if (!verify) return start()
    const origin = originOf(req) ?? ''
    const secure = !!(req.socket as { encrypted?: boolean }).encrypted
    verify({ origin, secure, req }, (verified, code = 401, message) => {
      if (verified) start()
      else
        reply(
          res,
          code >= 400 && code < 600 ? code : 401,
          message ? { 'x-lifeline-reason': message.replace(/[^\x20-\x7e]/g, '') } : {},
        )
    })
  }

  function uplink(req: IncomingMessage, res: ServerResponse, op: string, query: URLSearchParams) {
    const sid = query.get('sid') ?? ''
    const seq = Number(query.get('seq'))
    if (!sid || !Number.isSafeInteger(seq) || seq < 0) return reply(res, 400)
    const limit = host.maxMessageBytes + BODY_ALLOWANCE
    // As `ws` refuses a frame over `maxPayload`. The session is left alone: nothing proves this came from its client.
    const tooBig = () => {
      host.oversize()
      reply(res, 413, { connection: 'close' })
      req.destroy()
    }
    if (Number(req.headers['content-length']) > limit) return tooBig()
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.removeAllListeners('data')
        return tooBig()
      }
      chunks.push(chunk)
    })
    req.on('error', () => {})
    req.on('end', () => {
      if (size > limit) return
      const parsed = parseUplink(op, Buffer.concat(chunks).toString('utf8'))
      if (!parsed) return reply(res, 400)
      deliver(sid, seq, parsed[0], parsed[1], res)
    })
  }

  function handle(req: IncomingMessage, res: ServerResponse, query: URLSearchParams) {
    const op = query.get(QUERY) ?? ''
    const origin = originOf(req)
    let allowed = false
    try {
      allowed = host.originAllowed(origin, req)
    } catch {
      allowed = false
    }
    if (!allowed) {
      host.refused()
      return reply(res, 403)
    }
    const cors: Record<string, string> = origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}
    res.on('error', () => {})
    const method = op === 'stream' ? 'GET' : op === 'send' || op === 'close' ? 'POST' : null
    if (!method) return reply(res, 400, cors)
    if (req.method === 'OPTIONS') return reply(res, 204, { ...cors, 'access-control-allow-methods': method })
    if (req.method !== method) return reply(res, 405, { ...cors, allow: method })
    if (op === 'stream') return open(req, res, cors)
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value)
    uplink(req, res, op, query)
  }

  /** Answers `req` if it is the fallback's (at the server's path, with `?lifeline=`); returns whether it was. */
  const serve = (req: IncomingMessage, res: ServerResponse): boolean => {
    let query: URLSearchParams | null = null
    try {
      query = new URL(req.url ?? '/', 'http://host').searchParams
    } catch {
      query = null
    }
    if (!query?.has(QUERY) || ws.shouldHandle?.(req) === false) return false
    handle(req, res, query)
    return true
  }
  const onRequest: Listener = (req, res) => {
    if (serve(req, res)) return
    for (const listener of own) listener.call(server, req, res)
    // No listener of its own, and none added since: nobody else answers.
    if (own.length === 0 && server?.listenerCount('request') === 1) reply(res, 404)
  }
  server?.on('request', onRequest)

  new Promise((resolve) =>
    resolve(
      relay?.start({
        report: host.report,
        deliver(message) {
          try {
            const { sid, seq, key, uplink } = JSON.parse(message)
            deliver(String(sid), Number(seq), String(key), uplink as Uplink, null)
          } catch {
            // A message that is not a forwarded uplink is none of this hub's.
          }
        },
      }),
    ),
  ).catch(host.report)

  return {
    serve,
    /** Gives the server its own `request` listeners back; resolves once the relay has stopped. */
    restore(): Promise<unknown> {
      if (server) {
        server.off('request', onRequest)
        for (const listener of own) server.on('request', listener)
      }
      return new Promise((resolve) => resolve(relay?.close())).catch(host.report)
    },
  }
}
