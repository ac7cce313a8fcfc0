// The demo page: one Lifeline socket, its state on screen, a chat, and buttons that break the
// server. Plain DOM, no framework; loaded as an external module so a strict CSP allows it.

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

const socket = Lifeline.connect('/live', {
  heartbeat: { interval: 2000, timeout: 2000 },
  reconnect: { initialDelay: 1000, maxDelay: 8000 },
  // Runs on every (re)connect, before queued messages flush: say who we are and what we saw last.
  onOpen: (s) => {
    s.send('hello', { name: myName(), since: lastSeq })
  },
})
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
      if (closedByYou) return 'You closed it: no reconnects, queued messages were dropped. Press Connect.'
      const code = s.lastClose?.code
      const policy =
        code >= 4400 && code <= 4499
          ? 'Codes 4400–4499 mean “fix the request first”, so Lifeline does not retry.'
          : 'Lifeline will not retry this close code.'
      return `The server closed it with ${closeText(s.lastClose)}. ${policy} Press Connect.`
    }
    default:
      return ''
  }
}

function seconds(ms) {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`
}

function render() {
  const s = socket.getSnapshot()
  ui.card.dataset.status = s.status
  ui.status.textContent = LABELS[s.status] ?? s.status
  ui.detail.textContent = describe(s)
  ui.attempt.textContent = String(s.attempt)
  ui.latency.textContent = s.latency === null ? '—' : `${s.latency} ms`
  ui.queued.textContent = String(s.queued)
  const down = s.status === 'closed' || s.status === 'idle'
  ui.toggle.textContent = down ? 'Connect' : 'Close'
  ui.reconnect.disabled = down
  ui.online.classList.toggle('stale', s.status !== 'open')
  tick()
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
setInterval(tick, 100)

ui.reconnect.addEventListener('click', () => {
  closedByYou = false
  log('you', 'reconnect()')
  socket.reconnect()
})

ui.toggle.addEventListener('click', () => {
  const { status } = socket.getSnapshot()
  if (status === 'closed' || status === 'idle') {
    closedByYou = false
    log('you', 'open()')
    socket.open()
  } else {
    closedByYou = true
    log('you', 'close()')
    socket.close()
  }
})

// ---- event log -------------------------------------------------------------------------------

const LOG_LIMIT = 60

function clock(at = Date.now()) {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })
}

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
  lost: 'lost with the link',
}

/** Our own messages waiting for the server's echo, by id. @type {Map<string, HTMLLIElement>} */
const pending = new Map()
const idPrefix = Math.random().toString(36).slice(2, 8)
let counter = 0

function setState(item, state, note = STATES[state]) {
  item.dataset.state = state
  const badge = /** @type {HTMLElement} */ (item.querySelector('.badge'))
  badge.textContent = note
  badge.hidden = !note
}

function addMessage({ from, text, at }, own) {
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
  ui.messages.append(item)
  ui.messages.scrollTop = ui.messages.scrollHeight
  return item
}

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault()
  const text = ui.text.value.trim()
  if (!text) return
  const id = `${idPrefix}-${++counter}`
  const result = socket.send('chat', { text, id }) // 'sent' | 'queued' | 'dropped'
  const item = addMessage({ from: myName(), text, at: Date.now() }, true)
  setState(item, result === 'sent' ? 'sending' : result)
  if (result !== 'dropped') pending.set(id, item)
  ui.text.value = ''
  ui.text.focus()
})

/** Shows a chat from the server once, whether it comes live or replayed in `history`. */
function receiveChat(message) {
  if (message.seq <= lastSeq) return // already shown
  lastSeq = message.seq
  const item = message.id && pending.get(message.id)
  if (!item) return addMessage(message, message.id?.startsWith(`${idPrefix}-`))
  // The echo of our own message: it reached the server exactly once.
  pending.delete(message.id)
  const time = /** @type {HTMLElement} */ (item.querySelector('time'))
  time.textContent = clock(message.at)
  setState(item, 'delivered')
}

socket.on('chat', receiveChat)

// The answer to `hello { since }`: what was said while this page was away.
socket.on('history', ({ messages }) => {
  for (const message of messages) receiveChat(message)
  // Written to a link that died and not in the server's history: the server never got them.
  for (const [id, item] of pending) {
    if (item.dataset.state !== 'unconfirmed') continue
    pending.delete(id)
    setState(item, 'lost')
  }
})

socket.on('drop', ({ type, data, reason }) => {
  const item = type === 'chat' && pending.get(data?.id)
  if (!item) return
  pending.delete(data.id)
  setState(item, 'dropped', `not sent (${reason})`)
})

socket.on('open', () => {
  // The queue has just been written to the new link.
  for (const item of pending.values()) if (item.dataset.state === 'queued') setState(item, 'sending')
})

socket.on('close', () => {
  // Written to a link that is now gone, with no echo yet: `history` on the next link tells.
  for (const item of pending.values()) if (item.dataset.state === 'sending') setState(item, 'unconfirmed')
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
})

// ---- faults ----------------------------------------------------------------------------------

function setServerMode({ mode, until }) {
  serverModeName = mode
  serverUntil = until ?? 0
  ui.serverMode.dataset.mode = mode
  ui.serverMode.textContent = MODE_LABELS[mode] ?? mode
}

document.querySelector('.faults')?.addEventListener('click', async (event) => {
  const button = /** @type {HTMLElement} */ (event.target).closest('button[data-control]')
  if (!(button instanceof HTMLButtonElement)) return
  const { control, seconds: span, then } = button.dataset
  button.disabled = true
  try {
    const response = await fetch(`/control/${control}${span ? `?seconds=${span}` : ''}`, { method: 'POST' })
    const body = await response.json()
    if (!response.ok) throw new Error(body.error)
    const plural = body.affected === 1 ? '' : 's'
    log('server', `${control}${span ? ` for ${span} s` : ''} · ${body.affected} socket${plural} affected`)
    setServerMode(body)
    tick()
    if (then === 'reconnect') {
      closedByYou = false
      socket.reconnect()
    }
  } catch (error) {
    log('error', `control/${control} failed: ${error.message}`)
  } finally {
    button.disabled = false
  }
})

// Another tab may have started a fault already.
fetch('/control/status')
  .then((response) => response.json())
  .then(setServerMode)
  .catch(() => {})

render()
