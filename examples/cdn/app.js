// The demo page: one Lifeline socket, its state on screen and over time, a chat, and buttons
// that break the server. Plain DOM, no framework; loaded as an external module so a strict CSP
// allows it.
import { AttemptList } from './attempts.js'
import { idCodec, RequestsPanel } from './requests.js'
import { joinCodec, RoomsPanel } from './rooms.js'
import { SHARE_PARAM, TabsPanel } from './tabs.js'
import { Timeline } from './timeline.js'

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id))

const ui = {
  card: $('status-card'),
  status: $('status'),
  detail: $('status-detail'),
  attempt: $('attempt'),
  retry: $('retry'),
  latency: $('latency'),
  queued: $('queued'),
  reconnect: /** @type {HTMLButtonElement} */ ($('reconnect')),
  toggle: /** @type {HTMLButtonElement} */ ($('toggle')),
  serverMode: $('server-mode'),
  online: $('online'),
  messages: $('messages'),
  empty: $('messages-empty'),
  composer: /** @type {HTMLFormElement} */ ($('composer')),
  name: /** @type {HTMLInputElement} */ ($('name')),
  text: /** @type {HTMLInputElement} */ ($('text')),
  log: $('log'),
  timeline: /** @type {SVGSVGElement} */ (/** @type {unknown} */ ($('timeline'))),
  summary: $('timeline-summary'),
  net: $('net'),
  netValue: $('net-value'),
  netEvents: $('net-events'),
  attempts: /** @type {HTMLOListElement} */ ($('attempts')),
  attemptsEmpty: $('attempts-empty'),
  demos: $('demos'),
  connectCall: $('connect-call'),
  requests: {
    actions: $('request-actions'),
    list: /** @type {HTMLOListElement} */ ($('requests')),
    empty: $('requests-empty'),
    pending: $('requests-pending'),
    handled: $('requests-handled'),
    duplicates: $('requests-duplicates'),
  },
  rooms: {
    card: $('rooms-card'),
    state: $('room-state'),
    picker: $('room-picker'),
    gap: $('room-gap'),
    here: $('room-here'),
    lines: /** @type {HTMLOListElement} */ ($('room-lines')),
    composer: /** @type {HTMLFormElement} */ ($('room-composer')),
    text: /** @type {HTMLInputElement} */ ($('room-text')),
    actions: $('room-actions'),
    call: $('room-call'),
    position: $('room-position'),
  },
  tabs: {
    card: $('tabs-card'),
    mode: $('tabs-mode'),
    text: $('tabs-text'),
    role: $('tabs-role'),
    count: $('tabs-count'),
    server: $('tabs-server'),
    open: /** @type {HTMLButtonElement} */ ($('tabs-open')),
    share: /** @type {HTMLButtonElement} */ ($('tabs-share')),
    leave: /** @type {HTMLButtonElement} */ ($('tabs-leave')),
    events: $('tabs-events'),
  },
}

const LABELS = {
  idle: 'Idle',
  connecting: 'Connecting…',
  open: 'Open',
  reconnecting: 'Reconnecting',
  closed: 'Closed',
}

const CLOSE_NAMES = {
  1000: 'normal closure',
  1001: 'going away',
  1006: 'dropped without a close frame',
  1011: 'server error',
  1012: 'service restart',
  1013: 'try again later',
  4401: 'unauthorized',
}

const MODE_LABELS = { normal: 'server ok', stopped: 'stopped', blackhole: 'black hole', rejecting: 'rejecting 4401' }

/** Short names for the attempts list. */
const CLOSE_SHORT = {
  1000: 'normal',
  1001: 'going away',
  1006: 'no close frame',
  1012: 'restart',
  4401: 'unauthorized',
}

const ERROR_TEXT = {
  HEARTBEAT_TIMEOUT: 'The heartbeat ping got no answer: the link was silently dead, so Lifeline cut it.',
  CONNECT_FAILED: 'The handshake failed: the server is down or refused it.',
  CONNECT_TIMEOUT: 'The handshake got no answer in time.',
}

// ---- the socket ------------------------------------------------------------------------------

const Lifeline = /** @type {any} */ (globalThis).Lifeline
if (!Lifeline) {
  ui.card.dataset.status = 'closed'
  ui.status.textContent = 'Not built'
  ui.detail.textContent = '/lifeline.iife.min.js did not load. Run `npm start` (it builds first) and reload.'
  throw new Error('Lifeline is not loaded')
}

const NAME_KEY = 'lifeline-demo:name'
ui.name.value = localStorage.getItem(NAME_KEY) || `guest-${Math.floor(100 + Math.random() * 900)}`
const myName = () => ui.name.value.trim() || 'guest'

/** Whether the page's own Close button closed the socket (versus the server). */
let closedByYou = false
/** The newest chat `seq` shown; `hello` sends it so the server replays only what was missed. */
let lastSeq = 0
/** The server's current fault, as the control endpoints last reported it. */
let serverModeName = 'normal'
let serverUntil = 0
/** Why an attempt is about to start without waiting (`reconnect()`, `open()`, `online`), for the attempts list. */
let earlyReason = /** @type {string | null} */ (null)

const RECONNECT = { initialDelay: 1000, factor: 2, maxDelay: 8000 }
// The JSON codec, watched: the Requests card shows each request's id, which only the envelope carries.
const ids = idCodec(Lifeline.jsonCodec)
// And the answers to channel joins: the Rooms card marks the lines a replay brought back.
const joins = joinCodec(ids.codec)
const timeline = new Timeline(ui.timeline)
const attempts = new AttemptList(ui.attempts, ui.attemptsEmpty, RECONNECT)

// Listening before connect() puts these handlers ahead of Lifeline's own, so the attempts list
// learns why an attempt starts early before Lifeline starts it.
addEventListener('offline', () => showNetwork('offline'))
addEventListener('online', () => {
  showNetwork('online')
  earlyReason = 'online event'
  setTimeout(() => {
    earlyReason = null
  })
})

// With ?share, every tab of this page shares one WebSocket (lifeline-tabs.iife.min.js): one tab
// holds it, the others reach it through that tab, and another takes over when it goes.
const shared = new URLSearchParams(location.search).has(SHARE_PARAM) && typeof Lifeline.connectShared === 'function'
// With ?fallback (lifeline-fallback.iife.min.js), the link falls back to HTTP where WebSockets are
// blocked; ?fallback=5000 probes for a WebSocket every 5 s instead of every 30 s.
const fallback = new URLSearchParams(location.search).get('fallback')
const WebSocketClass =
  fallback !== null && typeof Lifeline.FallbackWebSocket === 'function'
    ? Lifeline.FallbackWebSocket.with(Number(fallback) > 0 ? { probeInterval: Number(fallback) } : {})
    : undefined
const socket = (shared ? Lifeline.connectShared : Lifeline.connect)('/live', {
  ...(WebSocketClass && { WebSocket: WebSocketClass }),
  heartbeat: { interval: 2000, timeout: 2000 },
  reconnect: RECONNECT,
  // Runs on every (re)connect, before queued messages flush: say who we are and what we saw last,
  // then resend what an earlier link may have lost (see `resync`). Shared, it runs in the leader tab.
  onOpen: (s) => resync(s),
  codec: joins.codec,
  ...(shared && { channel: 'lifeline-demo' }),
})
if (shared) {
  ui.connectCall.textContent =
    "Lifeline.connectShared('/live', { heartbeat: { interval: 2000, timeout: 2000 }, channel: 'lifeline-demo' })"
}
const tabsPanel = new TabsPanel(ui.tabs, socket, shared, log)
const requestsPanel = new RequestsPanel(ui.requests, socket, {
  lastId: ids.lastId,
  status: () => control('status'),
  crash: () => fault('crash'),
  log,
})
// Rooms need the channels bundle (lifeline-channels.iife.min.js).
const roomsPanel =
  typeof Lifeline.channel === 'function'
    ? new RoomsPanel(ui.rooms, socket, Lifeline, {
        lastJoin: joins.lastJoin,
        fault: (name, span) => fault(name, span),
        control: (path) => control(path, { method: 'POST' }),
        name: () => myName(),
        log,
      })
    : null
if (!roomsPanel) ui.rooms.card.hidden = true
// For poking at from the devtools console: socket.getSnapshot(), socket.send('chat', { text: 'hi' }).
Object.assign(globalThis, { socket })

// ---- status ----------------------------------------------------------------------------------

function closeText(close) {
  if (!close) return ''
  const name = close.reason || CLOSE_NAMES[close.code] || ''
  return `${close.code}${name ? ` ${name}` : ''}`
}

function describe(s) {
  switch (s.status) {
    case 'idle':
      return 'Not connected yet.'
    case 'connecting':
      return s.attempt ? `Retry ${s.attempt} under way: opening a new WebSocket…` : 'Opening the WebSocket…'
    case 'open':
      return 'Live. A ping goes out after 2 s of silence; no answer within 2 s more and the link is dropped.'
    case 'reconnecting': {
      const why = s.lastError ? ERROR_TEXT[s.lastError.code] || s.lastError.message : null
      const close = s.lastClose ? `The link closed with ${closeText(s.lastClose)}.` : ''
      return `${why ?? close} Waiting, with jittered backoff, before retry ${s.attempt}. Messages you send now are queued.`
    }
    case 'closed': {
      if (closedByYou)
        return 'You closed it: no reconnects, queued messages were dropped. Press Reconnect now to connect again.'
      const code = s.lastClose?.code
      const policy =
        code >= 4400 && code <= 4499
          ? 'Codes 4400–4499 mean “fix the request first”, so Lifeline does not retry.'
          : 'Lifeline will not retry this close code.'
      return `The server closed it with ${closeText(s.lastClose)}. ${policy} Press Reconnect now to connect again.`
    }
    default:
      return ''
  }
}

function seconds(ms) {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`
}

/** A round trip, `2.7 ms` or `43 ms`: measured on a monotonic clock, it has fractions. */
function milliseconds(ms) {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`
}

function render() {
  const s = socket.getSnapshot()
  ui.card.dataset.status = s.status
  ui.status.textContent = LABELS[s.status] ?? s.status
  ui.detail.textContent = describe(s)
  ui.attempt.textContent = String(s.attempt)
  ui.latency.textContent = s.latency === null ? '—' : milliseconds(s.latency)
  ui.queued.textContent = String(s.queued)
  const down = s.status === 'closed' || s.status === 'idle'
  // From closed, reconnect() connects: both buttons work in every status.
  ui.toggle.textContent = down ? 'Connect' : 'Close'
  ui.online.classList.toggle('stale', s.status !== 'open')
  tick()
}

// ---- the timeline and the attempts list ------------------------------------------------------

let previousStatus = socket.getSnapshot().status
timeline.status(previousStatus)
timeline.queued(0)

socket.on('state', (s) => {
  timeline.status(s.status)
  timeline.queued(s.queued)
  if (s.status === previousStatus) return
  // A wait that ends becomes an attempt; an attempt with no wait before it gets a row of its own.
  if (s.status === 'connecting' && !attempts.trying(earlyReason) && earlyReason) {
    attempts.immediate(s.attempt, earlyReason)
  }
  previousStatus = s.status
  ui.summary.textContent = timeline.summary()
})

socket.on('latency', (ms) => timeline.latency(ms))

/** What made the link go, in a few words, from the snapshot of the moment. */
function causeOf(s) {
  if (s.lastError) return s.lastError.code
  if (s.lastClose) return `${s.lastClose.code} ${CLOSE_SHORT[s.lastClose.code] ?? s.lastClose.reason}`.trim()
  return ''
}

socket.on('reconnecting', ({ attempt, delay }) => attempts.waiting(attempt, delay, causeOf(socket.getSnapshot())))
socket.on('error', (error) => {
  if (error.code.startsWith('CONNECT_') || error.code === 'HANDLER_FAILED') attempts.failed(error.code)
})
socket.on('open', () => attempts.opened())
socket.on('close', (e) => {
  if (e.willReconnect) return
  attempts.stopped(closedByYou ? 'you closed it' : `${closeText(e)}: this code is not retried`)
})

/** Runs `action` (which may start an attempt at once) with the reason shown in the attempts list. */
function because(reason, action) {
  earlyReason = reason
  try {
    action()
  } finally {
    earlyReason = null
  }
}

// ---- the browser's network -------------------------------------------------------------------

function showNetwork(type) {
  const online = navigator.onLine
  ui.net.dataset.online = String(online)
  ui.net.textContent = online ? 'online' : 'offline'
  ui.netValue.textContent = String(online)
  timeline.network(online)
  if (!type) return
  log('net', `${type} event · navigator.onLine = ${online}`)
  const item = document.createElement('li')
  item.dataset.type = type
  const time = document.createElement('time')
  time.textContent = clock()
  item.append(time, ` ${type}`)
  ui.netEvents.prepend(item)
  while (ui.netEvents.childElementCount > 4) ui.netEvents.lastElementChild?.remove()
}

/** The parts that move with the clock: the retry countdown and the server's fault window. */
function tick() {
  const { nextRetryAt } = socket.getSnapshot()
  ui.retry.textContent = nextRetryAt === null ? '—' : seconds(nextRetryAt - Date.now())
  const left = serverUntil - Date.now()
  if (serverModeName !== 'normal' && left <= 0) setServerMode({ mode: 'normal', until: null })
  else if (serverModeName !== 'normal') ui.serverMode.textContent = `${MODE_LABELS[serverModeName]} · ${seconds(left)}`
}

socket.subscribe(render)
setInterval(() => {
  tick()
  if (document.hidden) return
  attempts.tick()
  requestsPanel.tick()
  timeline.render()
}, 100)

ui.reconnect.addEventListener('click', () => {
  closedByYou = false
  log('you', 'reconnect()')
  timeline.pin('reconnect()')
  because('Reconnect now', () => socket.reconnect())
})

ui.toggle.addEventListener('click', () => {
  const { status } = socket.getSnapshot()
  if (status === 'closed' || status === 'idle') {
    closedByYou = false
    log('you', 'open()')
    because('Connect', () => socket.open())
  } else {
    closedByYou = true
    log('you', 'close()')
    timeline.pin('close()')
    socket.close()
  }
})

// ---- event log -------------------------------------------------------------------------------

const LOG_LIMIT = 60

function clock(at = Date.now()) {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

/** Adds a line on top of the log; returns its text, for a line that learns more later. */
function log(kind, text) {
  const item = document.createElement('li')
  item.className = `log-${kind}`
  const time = document.createElement('time')
  time.textContent = clock()
  const tag = document.createElement('span')
  tag.className = 'log-kind'
  tag.textContent = kind
  const body = document.createElement('span')
  body.className = 'log-text'
  body.textContent = text
  item.append(time, tag, body)
  ui.log.prepend(item)
  while (ui.log.childElementCount > LOG_LIMIT) ui.log.lastElementChild?.remove()
  return body
}

$('clear-log').addEventListener('click', () => ui.log.replaceChildren())

socket.on('open', () => log('open', 'link up, queue flushed'))
socket.on('close', (e) =>
  log('close', `${closeText(e)} · ${e.willReconnect ? 'will reconnect' : 'will not reconnect'}`),
)
socket.on('error', (error) => log('error', `${error.code} · ${error.message}`))
socket.on('reconnecting', ({ attempt, delay }) => log('retry', `retry ${attempt} in ${seconds(delay)}`))
socket.on('drop', ({ type, reason }) => log('drop', `${type ?? 'frame'} dropped (${reason})`))

// ---- chat ------------------------------------------------------------------------------------

const STATES = {
  sending: 'sending',
  queued: 'queued until the link is back',
  delivered: '',
  dropped: 'not sent',
  unconfirmed: 'link lost before the echo',
  resent: 'resent: the server never got it',
}

/** Our own messages waiting for the server's echo, by id, oldest first. @type {Map<string, { item: HTMLLIElement, text: string }>} */
const pending = new Map()
/** The `seq` of every chat shown, so a chat that comes live and again in `history` shows once. */
const shown = new Set()
const idPrefix = Math.random().toString(36).slice(2, 8)
let counter = 0

function setState(item, state, note = STATES[state]) {
  item.dataset.state = state
  const badge = /** @type {HTMLElement} */ (item.querySelector('.badge'))
  badge.textContent = note
  badge.hidden = !note
}

function addMessage({ from, text, at, seq }, own) {
  ui.empty.remove()
  const item = document.createElement('li')
  item.className = own ? 'message own' : 'message'
  const meta = document.createElement('div')
  meta.className = 'meta'
  const who = document.createElement('strong')
  who.textContent = from
  const time = document.createElement('time')
  time.textContent = clock(at)
  const badge = document.createElement('span')
  badge.className = 'badge'
  meta.append(who, time, badge)
  const body = document.createElement('p')
  body.textContent = text
  item.append(meta, body)
  // In server order: a chat replayed by `history` can arrive after a newer one that came live.
  const later = seq && [...ui.messages.children].find((other) => Number(other.dataset.seq) > seq)
  if (seq) item.dataset.seq = String(seq)
  ui.messages.insertBefore(item, later || null)
  ui.messages.scrollTop = ui.messages.scrollHeight
  return item
}

/** Sends a chat, shows it, and tracks it until its echo. */
function sendChat(text) {
  const id = `${idPrefix}-${++counter}`
  const result = socket.send('chat', { text, id }) // 'sent' | 'queued' | 'dropped'
  const item = addMessage({ from: myName(), text, at: Date.now() }, true)
  setState(item, result === 'sent' ? 'sending' : result)
  if (result !== 'dropped') pending.set(id, { item, text })
}

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault()
  const text = ui.text.value.trim()
  if (!text) return
  // While `resync` runs the link is up, but this send still queues behind the older ones.
  sendChat(text)
  ui.text.value = ''
  ui.text.focus()
})

/** Shows a chat from the server once, whether it comes live or replayed in `history`. */
function receiveChat(message) {
  if (shown.has(message.seq)) return
  shown.add(message.seq)
  lastSeq = Math.max(lastSeq, message.seq)
  const entry = message.id && pending.get(message.id)
  if (!entry) return addMessage(message, message.id?.startsWith(`${idPrefix}-`))
  // The echo of our own message: it reached the server exactly once.
  pending.delete(message.id)
  entry.item.dataset.seq = String(message.seq)
  const time = /** @type {HTMLElement} */ (entry.item.querySelector('time'))
  time.textContent = clock(message.at)
  setState(entry.item, 'delivered')
}

socket.on('chat', receiveChat)

// The answer to `hello { since }`: what was said while this page was away.
socket.on('history', ({ messages }) => {
  for (const message of messages) receiveChat(message)
})

/** The next `history` reply on this link; rejects after `ms`, which makes Lifeline drop the link and retry. */
function nextHistory(s, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off()
      reject(new Error(`no history reply within ${ms} ms`))
    }, ms)
    const off = s.once('history', () => {
      clearTimeout(timer)
      resolve(undefined)
    })
  })
}

/**
 * `onOpen`, on every (re)connect. Messages written to an earlier link with no echo may or may not
 * have reached the server. `hello { since }` brings back what the server has; whatever is still
 * unconfirmed after that never arrived and is sent again, with the same id. Lifeline flushes its
 * queue only once this settles, so the resent messages keep their place ahead of the queued ones:
 * everything arrives once, in the order it was typed.
 */
async function resync(s) {
  const unsure = [...pending].filter(([, { item }]) =>
    ['sending', 'unconfirmed', 'resent'].includes(item.dataset.state),
  )
  const reply = nextHistory(s, 4000)
  // Sent through `s`, the handle onOpen gets: these go out now, ahead of the queue.
  s.send('hello', { name: myName(), since: lastSeq })
  await reply
  for (const [id, { item, text }] of unsure) {
    if (!pending.has(id)) continue // its echo was in the history
    s.send('chat', { text, id })
    setState(item, 'resent')
  }
}

// Shared, `resync` runs in the leader tab only: the other tabs settle their own unconfirmed messages
// once the history it asked for arrives (it reaches every tab), sending again what it lacks.
socket.on('history', () => {
  if (!shared || socket.getSnapshot().leader) return
  for (const [id, { item, text }] of pending) {
    if (item.dataset.state !== 'unconfirmed') continue
    socket.send('chat', { text, id })
    setState(item, 'resent')
  }
})

socket.on('drop', ({ type, data, reason }) => {
  const entry = type === 'chat' && pending.get(data?.id)
  if (!entry) return
  pending.delete(data.id)
  setState(entry.item, 'dropped', `not sent (${reason})`)
})

socket.on('open', () => {
  // The queue has just been written to the new link.
  for (const { item } of pending.values()) if (item.dataset.state === 'queued') setState(item, 'sending')
})

socket.on('close', () => {
  // Written to a link that is now gone, with no echo yet: `history` on the next link tells.
  for (const { item } of pending.values()) {
    if (item.dataset.state === 'sending' || item.dataset.state === 'resent') setState(item, 'unconfirmed')
  }
})

socket.on('presence', ({ online }) => {
  ui.online.replaceChildren(
    ...online.map((name) => {
      const chip = document.createElement('li')
      chip.textContent = name
      if (name === myName()) chip.className = 'me'
      return chip
    }),
  )
})

ui.name.addEventListener('change', () => {
  localStorage.setItem(NAME_KEY, myName())
  // While not open, onOpen sends it on the next connect.
  if (socket.getSnapshot().status === 'open') socket.send('hello', { name: myName() })
  // The room's presence names the user the server knew at the join: join again under the new name.
  roomsPanel?.rejoin()
})

// ---- faults ----------------------------------------------------------------------------------

/** Faults that happen at once are pins on the timeline; the timed ones colour its server lane. */
const PINS = { crash: 'crash', restart: 'restart 1001' }

/** Control requests are numbered: an answer that arrives after a newer one's is stale. */
let controlRequests = 0
let controlShown = 0

/**
 * Runs a `/control/*` request and shows the server mode it reports, unless a newer request's
 * answer came first (a status poll sent just before a button press can arrive after it).
 */
async function control(path, init) {
  const request = ++controlRequests
  const response = await fetch(`/control/${path}`, { cache: 'no-store', ...init })
  const body = await response.json()
  if (!response.ok) throw new Error(body.error)
  if (request > controlShown) {
    controlShown = request
    setServerMode(body)
  }
  return body
}

function setServerMode({ mode, until, clients, requests }) {
  if (typeof clients === 'number') tabsPanel.server(clients)
  requestsPanel.server(requests)
  serverModeName = mode
  serverUntil = until ?? 0
  ui.serverMode.dataset.mode = mode
  ui.serverMode.textContent = MODE_LABELS[mode] ?? mode
  timeline.server(mode, until)
}

/** Starts fault `name` (for `span` seconds), logged and pinned as it is asked for: the closes it causes can arrive before the server's answer. */
async function fault(name, span, then) {
  const what = `${name}${span ? ` for ${span} s` : ''}`
  const line = log('server', `${what} · asked…`)
  if (name in PINS) timeline.pin(PINS[name])
  try {
    const body = await control(`${name}${span ? `?seconds=${span}` : ''}`, { method: 'POST' })
    const plural = body.affected === 1 ? '' : 's'
    line.textContent = `${what} · ${body.affected} socket${plural} affected`
    tick()
    if (then === 'reconnect') {
      closedByYou = false
      because('reconnect()', () => socket.reconnect())
    }
  } catch (error) {
    line.textContent = `${what} · failed`
    log('error', `control/${name} failed: ${error.message}`)
  }
}

document.querySelector('.faults')?.addEventListener('click', async (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('button[data-control]')
  if (!(button instanceof HTMLButtonElement)) return
  const { control: name = '', seconds: span, then } = button.dataset
  button.disabled = true
  await fault(name, span, then)
  button.disabled = false
})

// The server's state, for faults started from another tab; and which framework demos are built.
control('status')
  .then(({ demos = {} }) => {
    for (const [name, built] of Object.entries(demos)) {
      const link = document.getElementById(`demo-${name}`)
      if (link && built) link.hidden = false
    }
    ui.demos.hidden = !Object.values(demos).some(Boolean)
  })
  .catch(() => {})
setInterval(() => {
  if (!document.hidden) control('status').catch(() => {})
}, 2000)

showNetwork(null)
render()
timeline.render()
