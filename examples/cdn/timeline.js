// The last minute as a strip chart, drawn in SVG with no library: the server's faults, the
// browser's network, the socket's status, heartbeat latency and queue depth on one time axis,
// so the gap between "the server broke" and "the socket noticed" can be seen.

const SVG = 'http://www.w3.org/2000/svg'

/** How much history is shown, in ms. */
export const WINDOW = 60_000

const GUTTER = 72 // room for the lane names
const RIGHT = 10
const TICKS = [60, 45, 30, 15, 0] // seconds ago

/** Lanes, top to bottom, in px. */
const LANES = {
  server: { y: 4, h: 12, label: 'Server' },
  network: { y: 22, h: 12, label: 'Network' },
  socket: { y: 40, h: 26, label: 'Socket' },
  latency: { y: 80, h: 56, label: 'Latency' },
  queue: { y: 148, h: 30, label: 'Queued' },
}
const AXIS_Y = 196
const HEIGHT = 204

const MODE_NAMES = { stopped: 'stopped', blackhole: 'black hole', rejecting: 'rejecting' }

/** A samples' scale: the first "nice" number at or above the largest value. */
function niceMax(max, steps) {
  return steps.find((step) => step >= max) ?? Math.ceil(max)
}

function node(name, attributes, text) {
  const element = document.createElementNS(SVG, name)
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value))
  if (text !== undefined) element.textContent = text
  return element
}

function title(element, text) {
  element.append(node('title', {}, text))
  return element
}

/** About how wide a label's character is, in px (9.5–10 px bold, see `.tl-band-label`, `.tl-pin-label`). */
const LABEL_CHAR = 6.2

/**
 * Labels on the server lane, which fault windows and pins share: each takes the first of its
 * places that overlaps no label placed so far (nor, outside a window, another window), or is
 * left out (its band or pin keeps a `<title>`).
 */
class LabelRow {
  /** @type {[number, number][]} */
  #labels = []
  /** The fault windows, where only their own label goes. @type {[number, number][]} */
  #windows = []

  /** `[start, end]` of a label `label` at `x` with `anchor`. */
  static extent(label, x, anchor) {
    const width = label.length * LABEL_CHAR
    return anchor === 'end' ? [x - width, x] : [x, x + width]
  }

  /** A fault window from `a` to `b`. */
  window(a, b) {
    this.#windows.push([a, b])
  }

  /**
   * The first of `places` (`{ x, anchor }`) within `[left, right]` that is free, marked taken;
   * `null` when none is. `inside` places a window's label on that window.
   */
  place(label, places, left, right, inside = false) {
    const clashes =
      (a, b) =>
      ([c, d]) =>
        a < d + 4 && c < b + 4
    for (const { x, anchor = 'start' } of places) {
      const [a, b] = LabelRow.extent(label, x, anchor)
      if (a < left || b > right || this.#labels.some(clashes(a, b))) continue
      if (!inside && this.#windows.some(clashes(a, b))) continue
      this.#labels.push([a, b])
      return { x, 'text-anchor': anchor }
    }
    return null
  }
}

function secondsText(ms) {
  return `${(ms / 1000).toFixed(1)} s`
}

/**
 * Records series as change points (`{ at, value }`, epoch ms) and redraws on `render()`.
 * Recording is cheap; call `render()` on a timer.
 */
export class Timeline {
  #svg
  /** What `render()` redraws; the `<title>` before it stays. */
  #layer
  #now
  /** Change points per band lane. @type {Record<'server' | 'network' | 'socket', { at: number, value: string }[]>} */
  #bands = { server: [], network: [], socket: [] }
  /** @type {{ at: number, ms: number }[]} */
  #latency = []
  /** @type {{ at: number, value: number }[]} */
  #queue = []
  /** Instant events, drawn as pins on the server lane. @type {{ at: number, label: string }[]} */
  #pins = []

  /**
   * @param {SVGSVGElement} svg
   * @param {{ now?: () => number }} [options]
   */
  constructor(svg, { now = Date.now } = {}) {
    this.#svg = svg
    this.#layer = svg.appendChild(node('g', {}))
    this.#now = now
  }

  /** The socket's status changed (from a `state` event). */
  status(status, at = this.#now()) {
    this.#change(this.#bands.socket, status, at)
  }

  /** The browser's `navigator.onLine` changed. */
  network(online, at = this.#now()) {
    this.#change(this.#bands.network, online ? 'online' : 'offline', at)
  }

  /** The server's fault mode, as `/control/*` reported it; `until` schedules the return to normal. */
  server(mode, until = null, at = this.#now()) {
    const points = this.#bands.server
    // A newer report replaces what an older one predicted.
    while (points.length && points[points.length - 1].at > at) points.pop()
    this.#change(points, mode, at)
    if (mode !== 'normal' && until) points.push({ at: until, value: 'normal' })
  }

  /** A heartbeat round trip (from a `latency` event). */
  latency(ms, at = this.#now()) {
    this.#latency.push({ at, ms })
  }

  /** The send queue's depth (from `snapshot.queued`). */
  queued(count, at = this.#now()) {
    this.#change(this.#queue, count, at)
  }

  /** Something that happens at once: a crash, a restart, a click. */
  pin(label, at = this.#now()) {
    this.#pins.push({ at, label })
  }

  #change(points, value, at) {
    if (points[points.length - 1]?.value !== value) points.push({ at, value })
  }

  /** Forgets what scrolled out of view, keeping the last change before it (it still colours the left edge). */
  #prune(start) {
    const trim = (points) => {
      let keep = 0
      while (keep + 1 < points.length && points[keep + 1].at <= start) keep++
      if (keep) points.splice(0, keep)
    }
    for (const points of Object.values(this.#bands)) trim(points)
    trim(this.#queue)
    while (this.#latency.length && this.#latency[0].at < start - 10_000) this.#latency.shift()
    while (this.#pins.length && this.#pins[0].at < start) this.#pins.shift()
  }

  render() {
    const width = Math.max(320, this.#svg.clientWidth || 0)
    const now = this.#now()
    const start = now - WINDOW
    this.#prune(start)
    const plot = width - GUTTER - RIGHT
    const x = (at) => GUTTER + ((Math.min(Math.max(at, start), now) - start) / WINDOW) * plot

    const out = document.createDocumentFragment()

    // Grid and axis: fixed ticks, the data scrolls under them.
    for (const ago of TICKS) {
      const gx = x(now - ago * 1000)
      out.append(
        node('line', { class: 'tl-grid', x1: gx, x2: gx, y1: 0, y2: AXIS_Y - 12 }),
        node(
          'text',
          { class: 'tl-tick', x: gx, y: AXIS_Y, 'text-anchor': ago ? 'middle' : 'end' },
          ago ? `−${ago} s` : 'now',
        ),
      )
    }
    for (const [name, lane] of Object.entries(LANES)) {
      out.append(node('text', { class: 'tl-lane', x: 0, y: lane.y + lane.h / 2 + 4 }, lane.label))
      if (name === 'latency' || name === 'queue') {
        out.append(
          node('line', { class: 'tl-base', x1: GUTTER, x2: GUTTER + plot, y1: lane.y + lane.h, y2: lane.y + lane.h }),
        )
      }
    }

    const labels = new LabelRow()
    /** The fault windows' names, drawn over the pins so a pin's line never crosses one. */
    const names = node('g', { class: 'tl-band-labels' })
    for (const name of /** @type {const} */ (['server', 'network', 'socket'])) {
      out.append(this.#band(name, x, start, now, labels, names))
    }
    out.append(this.#latencyLane(x, start, GUTTER + plot))
    out.append(this.#queueLane(x, now))

    // Newest first: when labels collide, the latest pin keeps its label.
    for (const { at, label } of [...this.#pins].reverse()) {
      const px = x(at)
      const { y } = LANES.server
      const place = labels.place(label, [{ x: px + 6 }, { x: px - 6, anchor: 'end' }], GUTTER, width)
      out.append(
        node('line', { class: 'tl-pin', x1: px, x2: px, y1: y - 2, y2: LANES.socket.y + LANES.socket.h }),
        title(node('circle', { class: 'tl-pin-head', cx: px, cy: y + 6, r: 3.5 }), label),
      )
      if (place) out.append(node('text', { class: 'tl-pin-label', y: y + 10, ...place }, label))
    }
    out.append(names)

    this.#svg.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`)
    this.#svg.setAttribute('height', String(HEIGHT))
    this.#layer.replaceChildren(out)
  }

  /** One band lane: a rect per change, coloured by value through CSS (`.tl-<value>`). */
  #band(name, x, start, now, labels, names) {
    const { y, h } = LANES[name]
    const group = node('g', { class: `tl-band tl-band-${name}` })
    const points = this.#bands[name]
    /** Fault windows in view, named once every window is known. */
    const windows = []
    for (const [i, { at, value }] of points.entries()) {
      const end = Math.min(points[i + 1]?.at ?? now, now)
      if (end <= start || at >= now) continue
      const x1 = x(at)
      // A blink stays visible: a status that lasted a few ms still gets a hairline.
      const w = Math.max(1, x(end) - x1)
      const rect = node('rect', { class: `tl-${value}`, x: x1, y, width: w, height: h, rx: Math.min(3, w / 2) })
      group.append(title(rect, `${name}: ${MODE_NAMES[value] ?? value} · ${secondsText(end - at)}`))
      const label = MODE_NAMES[value]
      if (label) windows.push({ label, x1, w })
      if (label) labels.window(x1, x1 + w)
    }
    for (const { label, x1, w } of windows) names.append(...this.#bandLabel(label, x1, w, y + h - 2.5, x(now), labels))
    return group
  }

  /**
   * A fault window's name: inside its band when it fits, else beside it, after the band or, at
   * the right edge (a window still under way), before it. A 5 s window is too narrow for its name.
   */
  #bandLabel(label, x1, width, y, right, labels) {
    const [a, b] = LabelRow.extent(label, x1 + 5, 'start')
    const inside = b + 5 <= x1 + width && labels.place(label, [{ x: a }], a, b, true)
    if (inside) return [node('text', { class: 'tl-band-label', y, ...inside }, label)]
    const beside = labels.place(label, [{ x: x1 + width + 4 }, { x: x1 - 4, anchor: 'end' }], GUTTER, right)
    return beside ? [node('text', { class: 'tl-band-label tl-band-label-out', y, ...beside }, label)] : []
  }

  #latencyLane(x, start, right) {
    const { y, h } = LANES.latency
    const group = node('g', { class: 'tl-latency' })
    const visible = this.#latency.filter((sample) => sample.at >= start)
    const max = niceMax(
      Math.max(1, ...visible.map((sample) => sample.ms)),
      [2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
    )
    const py = (ms) => y + h - (Math.min(ms, max) / max) * h
    group.append(
      node('line', { class: 'tl-grid', x1: GUTTER, x2: right, y1: y, y2: y }),
      node('text', { class: 'tl-scale', x: GUTTER + 4, y: y + 10 }, `${max} ms`),
    )
    // A line between consecutive pings; a gap where the link was down (no pings for a while).
    let d = ''
    let previous = null
    for (const sample of visible) {
      const gap = !previous || sample.at - previous.at > 8000
      d += `${gap ? 'M' : 'L'}${x(sample.at).toFixed(1)},${py(sample.ms).toFixed(1)}`
      previous = sample
    }
    if (d) group.append(node('path', { class: 'tl-line', d }))
    for (const sample of visible) {
      group.append(
        title(
          node('circle', { class: 'tl-dot', cx: x(sample.at), cy: py(sample.ms), r: 2.5 }),
          `${sample.ms < 10 ? sample.ms.toFixed(1) : Math.round(sample.ms)} ms`,
        ),
      )
    }
    if (!visible.length) {
      group.append(
        node(
          'text',
          { class: 'tl-empty', x: GUTTER + 4, y: y + h - 6 },
          'a ping after 2 s of silence; its round trip lands here',
        ),
      )
    }
    return group
  }

  #queueLane(x, now) {
    const { y, h } = LANES.queue
    const group = node('g', { class: 'tl-queue' })
    const points = this.#queue
    const max = niceMax(Math.max(1, ...points.map((point) => point.value)), [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
    const py = (count) => y + h - (count / max) * h
    group.append(node('text', { class: 'tl-scale', x: GUTTER + 4, y: y + 10 }, `${max} msg`))
    if (!points.length) return group
    // A step area: the depth holds until the next change.
    const base = y + h
    let d = `M${x(points[0].at).toFixed(1)},${base}`
    for (const [i, { at, value }] of points.entries()) {
      const end = points[i + 1]?.at ?? now
      d += `L${x(at).toFixed(1)},${py(value).toFixed(1)}L${x(end).toFixed(1)},${py(value).toFixed(1)}`
    }
    d += `L${x(now).toFixed(1)},${base}Z`
    group.append(node('path', { class: 'tl-area', d }))
    return group
  }

  /** A one-line text summary for screen readers: the current status and how long it has lasted. */
  summary() {
    const points = this.#bands.socket
    const last = points[points.length - 1]
    if (!last) return ''
    const changes = points.filter((point) => point.at >= this.#now() - WINDOW).length
    return `Socket ${last.value} for ${secondsText(this.#now() - last.at)}; ${changes} status changes in the last minute.`
  }
}
