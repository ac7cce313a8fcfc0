// The Lifeline demo server: one node:http server that serves the demo pages, speaks Lifeline's
// protocol on /live through @lifeline/server, and breaks itself on request (/control/*) so
// reconnects can be watched.
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { attach, memoryAdapter } from '@lifeline/server'
import { WebSocketServer } from 'ws'
import { createRooms, trimmableHistory } from './rooms.js'

const folder = (path) => fileURLToPath(new URL(path, import.meta.url))

const CDN_ROOT = folder('../cdn/')
const DIST_ROOT = folder('../../packages/core/dist/')

/** The CDN bundle, served from `packages/core/dist/` at the site root. */
const BUNDLE = 'lifeline.iife.min.js'

/** The tabs bundle (`Lifeline.connectShared`), loaded after the core one. */
const TABS_BUNDLE = 'lifeline-tabs.iife.min.js'

/** The channels bundle (`Lifeline.channel`), loaded after the core one. */
const CHANNELS_BUNDLE = 'lifeline-channels.iife.min.js'

/** The HTTP fallback bundle (`Lifeline.FallbackWebSocket`), loaded after the core one. */
const FALLBACK_BUNDLE = 'lifeline-fallback.iife.min.js'

/** The bundles served from `packages/core/dist/`, each with its source map. */
const BUNDLES = [BUNDLE, TABS_BUNDLE, CHANNELS_BUNDLE, FALLBACK_BUNDLE]

/** Files served from `packages/core/dist/` at the site root. */
const DIST_FILES = new Set(BUNDLES.flatMap((name) => [name, `${name}.map`]))

/** Written by the build (`rollup.config.mjs`): `{ "dist/lifeline.iife.min.js": "sha384-…" }`. */
const SRI_FILE = resolve(DIST_ROOT, 'sri.json')

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

// The pages run under this policy, which is how they prove they need no inline script or eval.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

// The proof page at /csp/ runs under the smallest policy a strict site would set: nothing but 'self'
// for scripts (no 'unsafe-inline', no 'unsafe-eval'), WebSockets allowed.
const CSP_PROOF = "default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:"

/**
 * Where each URL prefix is served from, first match wins. `optional` folders are built by
 * someone else (the Vite examples) and may be missing; `app` folders answer unknown paths
 * with their index.html, as a single-page app expects.
 */
const MOUNTS = [
  { prefix: '/csp/', root: folder('../csp/'), csp: CSP_PROOF },
  { prefix: '/react/', root: folder('../react/dist/'), csp: CSP, optional: true, app: true },
  { prefix: '/vue/', root: folder('../vue/dist/'), csp: CSP, optional: true, app: true },
  { prefix: '/', root: CDN_ROOT, csp: CSP },
]

/** The framework demos that are built, for the page header: `{ react: true, vue: false }`. */
function builtDemos() {
  const built = {}
  for (const { prefix, root, optional } of MOUNTS) {
    if (optional) built[prefix.slice(1, -1)] = existsSync(resolve(root, 'index.html'))
  }
  return built
}

/**
 * Adds the build's `integrity` (from `sri.json`) to the CDN bundle's script tag, so the browser
 * checks the file. A stale `sri.json` (the bundle changed after the hash was written) would get
 * the bundle blocked, so then the tag is left as it is, with a warning.
 */
async function withIntegrity(html) {
  let page = html
  for (const name of BUNDLES) page = await integrityOf(page, name)
  return page
}

/** `html` with the integrity of bundle `name` on its script tag, when the hash is current. */
async function integrityOf(html, name) {
  const tag = `src="/${name}"`
  if (!html.includes(tag)) return html
  const [sri, bundle] = await Promise.all([
    readFile(SRI_FILE, 'utf8')
      .then((text) => JSON.parse(text)[`dist/${name}`])
      .catch(() => undefined),
    readFile(resolve(DIST_ROOT, name)).catch(() => undefined),
  ])
  if (typeof sri !== 'string' || !bundle) return html
  if (sri !== `sha384-${createHash('sha384').update(bundle).digest('base64')}`) {
    warnOnce(`${SRI_FILE} does not match ${name}: run \`npm run build\`. Serving the page without integrity.`)
    return html
  }
  return html.replace(tag, `${tag} integrity="${sri}" crossorigin="anonymous"`)
}

let lastWarning = ''
function warnOnce(message) {
  if (message !== lastWarning) console.warn(message)
  lastWarning = message
}

const LIMITS = { maxPayload: 64 * 1024, name: 32, text: 1000, id: 64, seconds: 300, history: 100, delay: 60_000 }

/** Default window, in seconds, of each timed fault. */
const DEFAULT_SECONDS = { stop: 5, blackhole: 10, reject: 5 }

/** Timed faults, most disruptive first; `status` reports the first one active. */
const MODES = /** @type {const} */ (['stopped', 'blackhole', 'rejecting'])

/** @typedef {(typeof MODES)[number]} Mode */

/**
 * @typedef {object} DemoServer
 * @property {string} url The page, e.g. `http://127.0.0.1:8080/`.
 * @property {string} wsUrl The WebSocket endpoint, e.g. `ws://127.0.0.1:8080/live`.
 * @property {number} port The port bound.
 * @property {() => Promise<void>} close Stops everything; afterwards no socket, timer or handle is left.
 */

/** Loopback origins (any port) may call the control endpoints and open /live from a browser. */
function isLoopbackOrigin(origin) {
  try {
    const { protocol, hostname } = new URL(origin)
    return /^https?:$/.test(protocol) && ['127.0.0.1', 'localhost', '[::1]'].includes(hostname)
  } catch {
    return false
  }
}

/** A trimmed, non-empty string of at most `max` characters, or `undefined`. */
function text(value, max) {
  if (typeof value !== 'string') return undefined
  const trimmed = value.trim()
  return trimmed && trimmed.length <= max ? trimmed : undefined
}

/**
 * Starts the demo server.
 *
 * @param {{ port?: number, host?: string }} [options] `port` 0 (the default) picks a free port.
 * @returns {Promise<DemoServer>}
 * @example
 * ```js
 * const demo = await startDemoServer({ port: 0 })
 * console.log(demo.url) // http://127.0.0.1:43117/
 * await demo.close()
 * ```
 */
export async function startDemoServer({ port = 0, host = '127.0.0.1' } = {}) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxPayload })
  /** Peers that completed a normal handshake (rejected ones are not listed). @type {Map<import('@lifeline/server').Peer, { name: string }>} */
  const clients = new Map()
  /** Upgrade requests waiting for a black hole to end. @type {Set<{ req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer }>} */
  const held = new Set()
  /** When each timed fault ends (epoch ms), 0 when inactive. @type {Record<Mode, number>} */
  const until = { stopped: 0, blackhole: 0, rejecting: 0 }
  /** @type {Partial<Record<Mode, ReturnType<typeof setTimeout>>>} */
  const timers = {}
  /** The last chats, oldest first, for clients that come back (`hello` with `since`). */
  const history = []
  let sequence = 0
  let guests = 0
  let closing = false

  const active = (/** @type {Mode} */ mode) => until[mode] > Date.now()

  function status() {
    const mode = MODES.find(active) ?? 'normal'
    const stats = hub.stats()
    return {
      mode,
      until: mode === 'normal' ? null : until[mode],
      clients: clients.size,
      online: [...clients.values()].map((client) => client.name),
      requests: { handled: stats.requests, duplicates: stats.duplicates },
      transports: stats.transports,
    }
  }

  // ---- Lifeline's protocol, through @lifeline/server --------------------------------------

  // Rooms are channels: history in memory, which /control/trim can cut short to show a gap.
  const roomHistory = trimmableHistory()
  const rooms = createRooms(() => hub, roomHistory)
  const hub = attach(wss, { adapter: { ...memoryAdapter(), history: roomHistory }, authorize: rooms.authorize })
  /** Pending `getTime` delays, cleared on close. @type {Set<ReturnType<typeof setTimeout>>} */
  const delays = new Set()
  let timeRequests = 0

  function broadcastPresence() {
    if (!closing) hub.broadcast('presence', { online: status().online })
  }

  /**
   * How the demo fakes a dead link on a live socket: while the black hole lasts, the hub reads
   * nothing (pings included, so only the client's heartbeat can notice) and writes nothing.
   * Frames sent into it are lost, as on a real dead link.
   */
  function faultable(ws) {
    const filtered = new Map()
    return {
      get readyState() {
        return ws.readyState
      },
      send(frame) {
        if (!active('blackhole')) ws.send(frame)
      },
      close: (code, reason) => ws.close(code, reason),
      terminate: () => ws.terminate(),
      ping: () => ws.ping(),
      on(event, listener) {
        let wrapped = listener
        if (event === 'message') {
          wrapped = (...args) => {
            if (!active('blackhole')) listener(...args)
          }
        }
        filtered.set(listener, wrapped)
        ws.on(event, wrapped)
      },
      off(event, listener) {
        ws.off(event, filtered.get(listener) ?? listener)
      },
    }
  }

  hub.on('connection', (peer) => {
    const client = { name: `guest-${++guests}` }
    clients.set(peer, client)
    // Who this connection is in the rooms' presence: until it says its name, a guest of its own.
    peer.data = { name: client.name }

    peer.on('hello', (data) => {
      const name = text(data?.name, LIMITS.name)
      if (name && name !== client.name) {
        client.name = name
        broadcastPresence()
      }
      // Named, the page is that user in the rooms (its tabs one member): from its next join of a room.
      if (name) peer.data = { userId: name, name }
      // A client that says what it saw last gets what it missed while it was away.
      const since = data?.since
      if (typeof since === 'number') {
        const resync = since > sequence ? 0 : since // a bigger number than ours: this server restarted
        peer.send('history', { messages: history.filter((chat) => chat.seq > resync) })
      }
    })

    peer.on('chat', (data) => {
      const body = text(data?.text, LIMITS.text)
      if (!body) return
      const from = text(data.from, LIMITS.name) ?? client.name
      const echo = text(data.id, LIMITS.id)
      const chat = { from, text: body, at: Date.now(), seq: ++sequence, ...(echo && { id: echo }) }
      history.push(chat)
      if (history.length > LIMITS.history) history.shift()
      hub.broadcast('chat', chat)
    })

    // A request to try `socket.request('getTime', { delay, fail })` on: `delay` (ms) holds the reply
    // back (to watch a timeout, an abort, or a resend after a crash answered once), `fail` makes it
    // an error reply. `count` says how many times the handler ran: a resend does not run it again.
    peer.handle('getTime', async (data) => {
      const count = ++timeRequests
      const delay = Math.min(Math.max(Number(data?.delay) || 0, 0), LIMITS.delay)
      if (delay) {
        await new Promise((resolve) => {
          const timer = setTimeout(() => {
            delays.delete(timer)
            resolve(undefined)
          }, delay)
          delays.add(timer)
        })
      }
      if (data?.fail) {
        throw Object.assign(new Error(text(data.fail, LIMITS.text) ?? 'getTime failed, as asked'), {
          code: 'DEMO_FAILURE',
        })
      }
      return { now: Date.now(), count }
    })

    // Any other message type is ignored, as a real server would ignore a newer client's messages.

    peer.on('close', () => {
      clients.delete(peer)
      broadcastPresence()
    })
    broadcastPresence()
  })

  function connected(ws, req) {
    // Protocol errors (a frame over maxPayload, bad UTF-8) close the socket with the right code;
    // without a listener they would also crash the server.
    ws.on('error', () => {})
    if (active('rejecting')) return ws.close(4401, 'unauthorized')
    wss.emit('connection', faultable(ws), req)
  }

  // ---- upgrades ----------------------------------------------------------------------------

  /** Answers an upgrade request with a plain HTTP error and hangs up. */
  function refuse(socket, code, reason) {
    socket.on('error', () => {})
    socket.end(`HTTP/1.1 ${code} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  }

  function accept(req, socket, head) {
    wss.handleUpgrade(req, socket, head, (ws) => connected(ws, req))
  }

  function upgrade(req, socket, head) {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost')
    const origin = req.headers.origin
    if (pathname !== '/live') return refuse(socket, 404, 'Not Found')
    if (origin && !isLoopbackOrigin(origin)) return refuse(socket, 403, 'Forbidden')
    if (active('stopped')) return refuse(socket, 503, 'Service Unavailable')
    if (active('blackhole')) {
      // Like a dead network: the handshake gets no answer until the black hole ends.
      const entry = { req, socket, head }
      held.add(entry)
      socket.on('error', () => {})
      socket.once('close', () => held.delete(entry))
      return
    }
    accept(req, socket, head)
  }

  function releaseHeld() {
    for (const entry of held) {
      held.delete(entry)
      if (!entry.socket.destroyed) accept(entry.req, entry.socket, entry.head)
    }
  }

  // ---- faults --------------------------------------------------------------------------------

  function startWindow(/** @type {Mode} */ mode, seconds) {
    clearTimeout(timers[mode])
    until[mode] = Date.now() + seconds * 1000
    timers[mode] = setTimeout(() => {
      timers[mode] = undefined
      until[mode] = 0
      if (mode === 'blackhole') {
        releaseHeld()
        broadcastPresence() // whoever survived the silence learns who is still here
      }
    }, seconds * 1000)
  }

  /** Ends every WebSocket: `code` closes politely, none destroys the TCP socket. Returns how many. */
  function endAll(code, reason) {
    // WebSockets, and the HTTP fallback's sessions (which `wss.clients` does not list).
    const overHttp = [...hub.peers].map((peer) => peer.socket).filter((socket) => socket.transport === 'http')
    const sockets = [...wss.clients, ...overHttp]
    for (const ws of sockets) code ? ws.close(code, reason) : ws.terminate()
    for (const entry of held) entry.socket.destroy()
    held.clear()
    return sockets.length
  }

  /** @type {Record<string, (seconds: number) => object>} */
  const actions = {
    crash: () => ({ affected: endAll() }),
    restart: () => ({ affected: endAll(1001, 'server restarting') }),
    stop: (seconds) => {
      startWindow('stopped', seconds)
      return { affected: endAll(1012, 'server stopped') }
    },
    blackhole: (seconds) => {
      startWindow('blackhole', seconds)
      return { affected: clients.size }
    },
    reject: (seconds) => {
      startWindow('rejecting', seconds)
      return { affected: 0 }
    },
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  function json(res, code, body, headers = {}) {
    const payload = JSON.stringify(body)
    res.writeHead(code, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(payload),
      'Cache-Control': 'no-store',
      ...headers,
    })
    res.end(payload)
  }

  function control(req, res, url) {
    const origin = req.headers.origin
    if (origin && !isLoopbackOrigin(origin)) return json(res, 403, { error: 'cross-site requests are refused' })
    // Loopback pages on other ports (the Vite examples) may drive the faults too.
    const cors = origin ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : {}
    const name = url.pathname.slice('/control/'.length)
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Max-Age': '600' })
      return res.end()
    }
    if (name === 'status') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'use GET' }, { Allow: 'GET' })
      return json(res, 200, { ...status(), demos: builtDemos() }, cors)
    }
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined
    const room = ['publish', 'trim'].includes(name)
    if (!action && !room) return json(res, 404, { error: `unknown control "${name}"` }, cors)
    if (req.method !== 'POST') return json(res, 405, { error: 'use POST' }, { ...cors, Allow: 'POST' })
    if (room) {
      return rooms
        .control(name, url.searchParams)
        .then((result) => json(res, result?.status ?? 404, { ...result?.body, ...status() }, cors))
        .catch((error) => json(res, 500, { error: String(error?.message ?? error) }, cors))
    }
    const given = url.searchParams.get('seconds')
    const seconds = given === null ? (DEFAULT_SECONDS[name] ?? 0) : Number(given)
    if (name in DEFAULT_SECONDS && !(seconds > 0 && seconds <= LIMITS.seconds)) {
      return json(res, 400, { error: `seconds must be a number in (0, ${LIMITS.seconds}]` }, cors)
    }
    const result = action(seconds)
    json(res, 200, { ok: true, action: name, ...result, ...status() }, cors)
  }

  /**
   * Maps a URL path to a file on disk and the policy to send it with, or `null`. Only the
   * mounted folders and the two dist files are reachable; no path leaves its folder.
   */
  function fileFor(pathname) {
    let path
    try {
      path = decodeURIComponent(pathname)
    } catch {
      return null
    }
    if (path.includes('\0')) return null
    if (DIST_FILES.has(path.slice(1))) return { file: resolve(DIST_ROOT, path.slice(1)), csp: CSP }
    const mount = MOUNTS.find(({ prefix }) => path.startsWith(prefix))
    if (!mount) return null
    const rest = path.slice(mount.prefix.length)
    const file = resolve(mount.root, rest === '' || rest.endsWith('/') ? `./${rest}index.html` : `./${rest}`)
    // resolve() has applied every `..`; what is left must still be inside the folder.
    return file.startsWith(mount.root) ? { ...mount, file } : null
  }

  /** The file to send for `pathname`, with its stat, or `null`. */
  async function find(pathname) {
    const found = fileFor(pathname)
    if (!found) return null
    const info = await stat(found.file).catch(() => null)
    if (info?.isFile()) return { ...found, info }
    // A Vite build made with the default `base: '/'` asks for /assets/… at the root.
    if (found.root === CDN_ROOT && pathname.startsWith('/assets/')) {
      for (const mount of MOUNTS.filter((m) => m.app)) {
        const match = await find(`${mount.prefix}${pathname.slice(1)}`)
        if (match) return match
      }
    }
    // A single-page app routes unknown paths itself; real files (with an extension) stay 404.
    if (found.app && !extname(found.file)) return find(found.prefix)
    return null
  }

  async function serveFile(req, res, url) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' })
      return res.end()
    }
    // Folders are addressed with their slash, so relative links on their pages resolve inside them.
    const folderPath = MOUNTS.find(({ prefix }) => prefix === `${url.pathname}/`)
    if (folderPath) {
      res.writeHead(308, { Location: `${url.pathname}/${url.search}` })
      return res.end()
    }
    const found = await find(url.pathname)
    if (!found) {
      const dist = fileFor(url.pathname)?.file.startsWith(DIST_ROOT)
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      return res.end(dist ? 'Not built yet: run `npm run build` (or `npm start`).\n' : 'Not found\n')
    }
    const { file, info, csp } = found
    const headers = {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': csp,
    }
    if (extname(file) === '.html') {
      const html = Buffer.from(await withIntegrity(await readFile(file, 'utf8')))
      res.writeHead(200, { ...headers, 'Content-Length': html.length })
      return res.end(req.method === 'HEAD' ? undefined : html)
    }
    res.writeHead(200, { ...headers, 'Content-Length': info.size })
    if (req.method === 'HEAD') return res.end()
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res)
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    // The HTTP fallback's requests (`?lifeline=…` on /live), for pages where WebSockets are blocked.
    if (url.pathname === '/live' && hub.handleRequest(req, res)) return
    if (url.pathname.startsWith('/control/')) {
      req.resume() // a body, if any, is not needed
      return control(req, res, url)
    }
    serveFile(req, res, url).catch(() => {
      if (!res.headersSent) res.writeHead(500)
      res.end()
    })
  })
  server.on('upgrade', upgrade)

  await new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen)
    server.listen(port, host, () => {
      server.off('error', rejectListen)
      resolveListen(undefined)
    })
  })

  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const authority = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
  let closed

  return {
    url: `http://${authority}/`,
    wsUrl: `ws://${authority}/live`,
    port: address.port,
    close() {
      closed ??= (async () => {
        closing = true
        for (const mode of MODES) clearTimeout(timers[mode])
        for (const timer of delays) clearTimeout(timer)
        endAll()
        await hub.close()
        await new Promise((done) => wss.close(() => done(undefined)))
        await new Promise((done) => {
          server.close(() => done(undefined))
          server.closeAllConnections()
        })
      })()
      return closed
    },
  }
}
