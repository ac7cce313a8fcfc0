// The "Requests" card: `socket.request('getTime', …)` made to end each way a request can end —
// answered, timed out, resent after a crash and answered once, aborted, refused — and the recent
// requests with their outcome, id and timing. The server's side of it is `getTime` in
// examples/server/server.js: `delay` holds the reply back, `fail` makes it an error reply, and the
// reply's `count` says how many times the handler has run.

const LIMIT = 6

/**
 * What each button asks. `crash` crashes the server once it is working on the request;
 * `abortAfter` aborts it after that many ms.
 * @type {Record<string, { data?: { delay?: number, fail?: string }, options?: { timeout?: number }, crash?: boolean, abortAfter?: number }>}
 */
const ASKS = {
  answer: {},
  timeout: { data: { delay: 3000 }, options: { timeout: 1000 } },
  crash: { data: { delay: 1500 }, options: { timeout: 20_000 }, crash: true },
  abort: { data: { delay: 3000 }, abortAfter: 1000 },
  fail: { data: { fail: 'no time for you today' } },
}

/** The outcome a rejection's code stands for, and its label. */
const FAILURES = {
  REQUEST_TIMEOUT: ['timeout', 'timed out'],
  REQUEST_ABORTED: ['aborted', 'aborted'],
  REQUEST_FAILED: ['failed', 'error reply'],
  REQUEST_LOST: ['lost', 'lost'],
}

/**
 * A codec that remembers the id of the last request it encoded. `socket.request()` encodes at the
 * call and returns only the promise, so right after the call `lastId()` is that request's id.
 * @param {{ encode(message: any): any, decode(frame: any): unknown }} base the codec to wrap
 */
export function idCodec(base) {
  let last = /** @type {string | null} */ (null)
  return {
    codec: {
      encode(/** @type {{ type?: string, id?: string }} */ message) {
        if (message.type !== undefined && message.id !== undefined) last = message.id
        return base.encode(message)
      },
      decode: (/** @type {any} */ frame) => base.decode(frame),
    },
    lastId: () => last,
  }
}

function element(name, className, text = '') {
  const node = document.createElement(name)
  node.className = className
  node.textContent = text
  return node
}

function duration(ms) {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`
}

function clock(at = Date.now(), ms = false) {
  const time = new Date(at).toLocaleTimeString([], { hour12: false })
  return ms ? `${time}.${String(new Date(at).getMilliseconds()).padStart(3, '0')}` : time
}

/** `getTime { delay: 3000 } · timeout 1 s`: the call as the row shows it. */
function callText(data, options) {
  const args = data
    ? ` ${JSON.stringify(data)
        .replace(/"(\w+)":/g, '$1: ')
        .replace(/,/g, ', ')}`
    : ''
  const timeout = options?.timeout ? ` · timeout ${duration(options.timeout)}` : ''
  return `getTime${args}${timeout}`
}

/**
 * @typedef {object} Row One request on screen and what is known about it.
 * @property {HTMLLIElement} item
 * @property {HTMLElement} outcome
 * @property {HTMLElement} timing
 * @property {HTMLElement} steps
 * @property {HTMLButtonElement} abort
 * @property {number} startedAt `performance.now()` at the call
 * @property {boolean} written whether it has been written to a link (else it is queued)
 * @property {number} resent how many times it was written again on a new link
 * @property {boolean} settled
 * @property {string[]} trail what happened to it, in order
 */

export class RequestsPanel {
  /** Requests not settled yet. @type {Set<Row>} */
  #pending = new Set()

  /**
   * @param {{ actions: HTMLElement, list: HTMLOListElement, empty: HTMLElement, pending: HTMLElement,
   *   handled: HTMLElement, duplicates: HTMLElement }} ui
   * @param {any} socket
   * @param {{ lastId: () => string | null, status: () => Promise<{ requests?: { handled: number } }>,
   *   crash: () => Promise<unknown>, log: (kind: string, text: string) => unknown }} host
   */
  constructor(ui, socket, host) {
    this.ui = ui
    this.socket = socket
    this.host = host

    ui.actions.addEventListener('click', (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest('button[data-ask]')
      if (button instanceof HTMLButtonElement) this.ask(button.dataset.ask ?? 'answer')
    })
    // A request written to a link that drops is written again, same id, first on the next link.
    socket.on('close', () => {
      for (const row of this.#pending) if (row.written) this.#step(row, 'link lost')
    })
    socket.on('open', () => {
      for (const row of this.#pending) {
        if (!row.written) {
          row.written = true
          this.#step(row, 'written')
        } else {
          row.resent++
          this.#step(row, 'resent, same id')
        }
      }
    })
    socket.subscribe(() => this.#showPending())
    this.#showPending()
  }

  /** Makes the request the button `kind` stands for, and follows it to its end. */
  async ask(kind) {
    const { data, options, crash, abortAfter } = ASKS[kind] ?? ASKS.answer
    const controller = new AbortController()
    // Crash only once the server is working on it: the point is a request the server has, lost with its link.
    const handledBefore = crash ? await this.#handled() : 0
    const written = this.socket.getSnapshot().status === 'open'
    const startedAt = performance.now()
    let reply
    try {
      reply = this.socket.request('getTime', data, { ...options, signal: controller.signal })
    } catch (error) {
      this.host.log('error', `request: ${error.code} · ${error.message}`)
      return
    }
    const row = this.#add(this.host.lastId() ?? '—', callText(data, options), controller, written, startedAt)
    this.host.log('you', `request('getTime'${data ? `, ${JSON.stringify(data)}` : ''}) · id ${row.item.dataset.id}`)
    if (abortAfter) {
      setTimeout(() => controller.abort(`abort() after ${duration(abortAfter)}`), abortAfter)
    }
    if (crash) this.#crashWhenHandled(row, handledBefore)

    try {
      const { now, count } = await reply
      row.item.dataset.count = String(count)
      // `count` numbers the handler's runs on the server: a resend answered from its dedupe window adds none.
      const writes = row.resent ? `, once for ${row.resent + 1} writes` : ''
      const text = `answered · server time ${clock(now, true)} · handler run #${count}${writes}`
      this.#settle(row, row.resent ? 'resent' : 'answered', row.resent ? 'resent, answered' : 'answered', text)
    } catch (error) {
      const [outcome, label] = FAILURES[error?.code] ?? ['lost', error?.code ?? 'failed']
      const why = error.code === 'REQUEST_FAILED' ? `${error.cause?.code ?? 'error'}: ${error.message}` : error.message
      // An abort's reason is in its message already: `request aborted: <reason>`.
      this.#settle(row, outcome, label, why)
    }
    this.host.status().catch(() => {})
  }

  /** The server's request figures, from `/control/status` (polled by the page, or after a reply). */
  server(requests) {
    if (!requests) return
    this.ui.handled.textContent = String(requests.handled)
    this.ui.duplicates.textContent = String(requests.duplicates)
  }

  /** Moves the pending rows' clocks; call it on a timer. */
  tick() {
    for (const row of this.#pending) row.timing.textContent = duration(performance.now() - row.startedAt)
  }

  async #handled() {
    const status = await this.host.status().catch(() => undefined)
    return status?.requests?.handled ?? 0
  }

  /** Waits (a few seconds at most) until the server has run the handler, then crashes the server. */
  async #crashWhenHandled(row, before) {
    for (let tries = 0; tries < 40 && !row.settled; tries++) {
      if ((await this.#handled()) > before) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    if (row.settled) return
    this.#step(row, 'server working on it · crash')
    await this.host.crash()
  }

  #showPending() {
    const { pending = 0 } = this.socket.getSnapshot()
    this.ui.pending.textContent = String(pending)
  }

  #step(row, text) {
    if (row.settled) return
    row.trail.push(text)
    row.steps.textContent = row.trail.join(' → ')
  }

  #settle(row, outcome, label, text) {
    row.settled = true
    this.#pending.delete(row)
    row.item.dataset.outcome = outcome
    row.outcome.textContent = label
    const ms = performance.now() - row.startedAt
    row.item.dataset.ms = String(Math.round(ms))
    row.timing.textContent = duration(ms)
    row.abort.remove()
    row.trail.push(text)
    row.steps.textContent = row.trail.join(' → ')
  }

  /** @returns {Row} */
  #add(id, call, controller, written, startedAt) {
    this.ui.empty.remove()
    const item = document.createElement('li')
    item.className = 'request'
    item.dataset.outcome = 'pending'
    item.dataset.id = id
    const head = element('div', 'request-head')
    const outcome = element('span', 'request-outcome', written ? 'waiting' : 'queued')
    const timing = element('span', 'request-timing', '0 ms')
    const abort = /** @type {HTMLButtonElement} */ (element('button', 'link request-abort', 'abort'))
    abort.type = 'button'
    abort.addEventListener('click', () => controller.abort('abort() from the page'))
    const time = document.createElement('time')
    time.textContent = clock()
    const callCode = element('code', 'request-call', call)
    callCode.title = call
    head.append(outcome, callCode, abort, timing, time)
    const foot = element('div', 'request-foot')
    const steps = element('span', 'request-steps')
    const idText = element('code', 'request-id', id)
    idText.title = 'the request id: unique across tabs and reloads; a resend carries the same one'
    foot.append(idText, steps)
    item.append(head, foot)
    this.ui.list.prepend(item)
    while (this.ui.list.childElementCount > LIMIT) this.ui.list.lastElementChild?.remove()
    /** @type {Row} */
    const row = {
      item,
      outcome,
      timing,
      steps,
      abort,
      startedAt,
      written,
      resent: 0,
      settled: false,
      trail: [written ? 'written' : 'queued: the link is down'],
    }
    steps.textContent = row.trail[0]
    this.#pending.add(row)
    return row
  }
}
