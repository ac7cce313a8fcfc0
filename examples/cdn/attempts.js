// The reconnect attempts as a list, newest first: why each one happened, the delay the backoff
// drew against the range it drew it from, and how the attempt ended. Rows are numbered in the
// order they happened (#1 at the bottom); Lifeline's own counter, which sets the range and
// starts again once a link has stayed up (`stableAfter`), is each row's "retry n".

const LIMIT = 6

/**
 * @typedef {object} Policy The page's `reconnect` options, to show the range each delay is drawn from.
 * @property {number} initialDelay
 * @property {number} factor
 * @property {number} maxDelay
 */

function seconds(ms) {
  const s = Math.max(0, ms) / 1000
  return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`
}

function span(className, text = '') {
  const element = document.createElement('span')
  element.className = className
  element.textContent = text
  return element
}

export class AttemptList {
  #list
  #empty
  #policy
  #now
  /** How many rows this list has ever had: the next row is `#count + 1`. */
  #count = 0
  /** The newest row and what is known about it. */
  #current =
    /** @type {null | { item: HTMLLIElement, outcome: HTMLElement, foot: HTMLElement, progress: HTMLElement | null, startedAt: number, delay: number }} */ (
      null
    )

  /**
   * @param {HTMLOListElement} list
   * @param {HTMLElement} empty the placeholder shown until the first attempt
   * @param {Policy} policy
   * @param {() => number} [now]
   */
  constructor(list, empty, policy, now = Date.now) {
    this.#list = list
    this.#empty = empty
    this.#policy = policy
    this.#now = now
  }

  /** Full jitter draws each delay uniformly from `[0, cap]`; this is the cap for attempt `n`. */
  cap(attempt) {
    const { initialDelay, factor, maxDelay } = this.#policy
    return Math.min(maxDelay, initialDelay * factor ** Math.max(0, attempt - 1))
  }

  /** A `reconnecting { attempt, delay }` event: the backoff drew `delay` and the wait began. */
  waiting(attempt, delay, cause) {
    const cap = this.cap(attempt)
    const { maxDelay } = this.#policy
    const row = this.#add(
      attempt,
      cause,
      'waiting',
      `retry ${attempt} · waits ${seconds(delay)}`,
      `of 0–${cap / 1000} s`,
    )
    const bar = document.createElement('div')
    bar.className = 'attempt-bar'
    bar.title = `full jitter: uniform in [0, ${seconds(cap)}]; the bar is ${seconds(maxDelay)} wide (maxDelay)`
    const range = span('attempt-range')
    const drawn = span('attempt-delay')
    const progress = span('attempt-progress')
    // Widths through the CSSOM: a strict CSP forbids style attributes, not this.
    range.style.width = `${(cap / maxDelay) * 100}%`
    drawn.style.width = `${(delay / maxDelay) * 100}%`
    progress.style.width = '0%'
    bar.append(range, drawn, progress)
    row.item.insertBefore(bar, row.foot)
    this.#current = { ...row, progress, delay }
  }

  /** An attempt with no wait before it: `reconnect()`, `open()` or the `online` event. */
  immediate(attempt, cause) {
    const row = this.#add(attempt, cause, 'trying', 'no wait', '')
    this.#current = { ...row, progress: null, delay: 0 }
  }

  /** Status became `connecting`: the wait is over, early when `reason` says why. False when none was waiting. */
  trying(reason) {
    const row = this.#current
    if (row?.item.dataset.outcome !== 'waiting') return false
    this.#outcome('trying')
    const waited = this.#now() - row.startedAt
    if (reason && waited < row.delay - 100) {
      row.foot.firstElementChild.textContent = `retry ${row.item.dataset.attempt} · cut short at ${seconds(waited)}: ${reason}`
    }
    if (row.progress) row.progress.style.width = '0%'
    return true
  }

  /** The attempt failed with `code` (`CONNECT_FAILED`, `CONNECT_TIMEOUT`, …). */
  failed(code) {
    if (this.#current?.item.dataset.outcome === 'trying') this.#outcome('failed', `failed · ${code}`)
  }

  /** The attempt opened the link. */
  opened() {
    if (this.#current && this.#current.item.dataset.outcome !== 'open') this.#outcome('open', 'connected')
  }

  /** No more attempts (status `closed`): `why` says which close code or limit stopped them. */
  stopped(why) {
    const row = this.#current
    if (!row || row.item.dataset.outcome === 'open' || row.item.dataset.outcome === 'stopped') return
    this.#outcome('stopped', 'not retried')
    row.foot.lastElementChild.textContent = why
  }

  /** Moves the current wait's progress marker; call it on a timer. */
  tick() {
    const row = this.#current
    if (!row?.progress || row.item.dataset.outcome !== 'waiting') return
    const elapsed = Math.min(row.delay, this.#now() - row.startedAt)
    row.progress.style.width = `${(elapsed / this.#policy.maxDelay) * 100}%`
  }

  #outcome(outcome, text = outcome === 'trying' ? 'connecting…' : outcome) {
    const row = this.#current
    if (!row) return
    row.item.dataset.outcome = outcome
    row.outcome.textContent = text
  }

  #add(attempt, cause, outcome, waitText, rangeText) {
    this.#empty.remove()
    const item = document.createElement('li')
    item.className = 'attempt'
    item.dataset.outcome = outcome
    item.dataset.attempt = String(attempt)
    item.dataset.n = String(++this.#count)
    const head = document.createElement('div')
    head.className = 'attempt-head'
    const outcomeText = span('attempt-outcome', outcome === 'trying' ? 'connecting…' : outcome)
    const time = document.createElement('time')
    time.textContent = new Date(this.#now()).toLocaleTimeString([], { hour12: false })
    head.append(span('attempt-n', `#${this.#count}`), span('attempt-cause', cause), outcomeText, time)
    const foot = document.createElement('div')
    foot.className = 'attempt-foot'
    foot.append(span('attempt-wait', waitText), span('attempt-range-text', rangeText))
    item.append(head, foot)
    this.#list.prepend(item)
    while (this.#list.childElementCount > LIMIT) this.#list.lastElementChild?.remove()
    return { item, outcome: outcomeText, foot, startedAt: this.#now() }
  }
}
