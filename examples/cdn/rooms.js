// The "Rooms" card: a channel (`Lifeline.channel`, from lifeline-channels.iife.min.js) per room,
// its lines with the ones a replay brought back marked "recovered", and a banner for a gap. The
// buttons cut the link (the Stop fault) and have the server publish while the page is away, and
// trim the room's history so that what was missed cannot come back. "Here" is who is in the room
// (`presence: true`): a user once, however many tabs; a reconnect changes nothing. The server's
// side is examples/server/rooms.js.

const LIMIT = 80
const SERVER_LINES = 3
const MISSED_LINES = 5

/**
 * A codec that remembers each channel's last join answer: `{ epoch, offset, recovered }`, the
 * channel's top when the server read the replay. A line delivered after a recovered join with an
 * offset up to that top came in the replay: it was published while the page was away.
 * @param {{ encode(message: any): any, decode(frame: any): any }} base the codec to wrap
 */
export function joinCodec(base) {
  /** The channel of each join asked and not answered yet, by request id. */
  const asked = new Map()
  /** @type {Map<string, { epoch: string, offset: number, recovered: boolean }>} */
  const answers = new Map()
  return {
    codec: {
      encode(/** @type {any} */ message) {
        if (message.type === '$join' && message.id !== undefined) asked.set(message.id, message.data?.channel)
        return base.encode(message)
      },
      decode(/** @type {any} */ frame) {
        const message = base.decode(frame)
        const channel = message && asked.get(message.re)
        if (channel !== undefined) {
          asked.delete(message.re)
          if (message.data) answers.set(channel, message.data)
        }
        return message
      },
    },
    lastJoin: (/** @type {string} */ channel) => answers.get(channel),
  }
}

function element(name, className, text = '') {
  const node = document.createElement(name)
  node.className = className
  node.textContent = text
  return node
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * @typedef {object} RoomsUi
 * @property {HTMLElement} state
 * @property {HTMLElement} picker
 * @property {HTMLElement} gap
 * @property {HTMLElement} here
 * @property {HTMLOListElement} lines
 * @property {HTMLFormElement} composer
 * @property {HTMLInputElement} text
 * @property {HTMLElement} actions
 * @property {HTMLElement} call
 * @property {HTMLElement} position
 */

/**
 * @typedef {object} RoomsHost
 * @property {(channel: string) => { epoch: string, offset: number, recovered: boolean } | undefined} lastJoin
 * @property {(name: string, seconds?: number | string) => Promise<void>} fault starts a server fault, as the faults card does
 * @property {(path: string) => Promise<any>} control a POST to /control/<path>
 * @property {() => string} name who publishes
 * @property {(kind: string, text: string) => unknown} log
 */

export class RoomsPanel {
  /** Per room: the lines shown and where the page left it (`since` when it comes back). */
  #rooms = new Map()
  /** @type {any} */
  #room = null
  #name = ''
  /** @type {Array<() => void>} */
  #offs = []

  /**
   * @param {RoomsUi} ui
   * @param {any} socket
   * @param {any} Lifeline the global of the CDN build, with `channel` from the channels bundle
   * @param {RoomsHost} host
   */
  constructor(ui, socket, Lifeline, host) {
    this.ui = ui
    this.socket = socket
    this.Lifeline = Lifeline
    this.host = host
    ui.picker.addEventListener('click', (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest('button[data-room]')
      if (button instanceof HTMLElement && button.dataset.room) this.join(button.dataset.room)
    })
    ui.composer.addEventListener('submit', (event) => {
      event.preventDefault()
      const text = ui.text.value.trim()
      if (!text || !this.#room) return
      ui.text.value = ''
      // A request: queued while the link is down, answered with the line's position.
      this.#room.publish({ from: host.name(), text, at: Date.now() }).catch((error) => {
        host.log('error', `publish into ${this.#room?.name}: ${error.code}`)
      })
    })
    ui.actions.addEventListener('click', async (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest('button[data-room-action]')
      if (!(button instanceof HTMLButtonElement)) return
      button.disabled = true
      try {
        await this.#act(button.dataset.roomAction ?? '', button.dataset.seconds)
      } catch (error) {
        host.log('error', `rooms: ${error.message}`)
      } finally {
        button.disabled = false
      }
    })
    this.join('lobby')
  }

  /** Leaves the current room and joins `name`, from where the page left it if it was there before. */
  join(name) {
    if (name === this.#name) return
    for (const off of this.#offs.splice(0)) off()
    this.#room?.leave()
    this.#name = name
    let room = this.#rooms.get(name)
    if (!room) {
      room = { lines: [], gap: null, since: undefined }
      this.#rooms.set(name, room)
    }
    const channel = `room:${name}`
    this.#room = this.Lifeline.channel(this.socket, channel, {
      presence: true,
      ...(room.since && { since: room.since }),
    })
    this.ui.call.textContent = `Lifeline.channel(socket, '${channel}', { presence: true${room.since ? ', since' : ''} })`
    for (const button of this.ui.picker.querySelectorAll('button[data-room]')) {
      button.setAttribute('aria-pressed', String(/** @type {HTMLElement} */ (button).dataset.room === name))
    }
    const handle = this.#room
    this.#offs.push(
      handle.subscribe(() => this.#state(room)),
      handle.on('message', (line, position) => this.#line(room, channel, line, position)),
      handle.on('gap', (gap) => this.#gap(room, channel, gap)),
      handle.on('error', (error) => this.host.log('error', `${channel}: ${error.code} · ${error.message}`)),
      handle.on('presence', (members) => this.#here(members)),
      handle.on('join', ({ data }) => this.host.log('server', `${data?.name ?? 'someone'} joined ${channel}`)),
      handle.on('leave', ({ data }) => this.host.log('server', `${data?.name ?? 'someone'} left ${channel}`)),
    )
    this.#here(handle.presence())
    this.#drawLines(room)
    this.#drawGap(room)
    this.#state(room)
  }

  /** Joins the current room again at once (after the page's name changed), live: nothing was missed. */
  rejoin() {
    const name = this.#name
    const room = this.#rooms.get(name)
    if (room) room.since = undefined
    this.#name = ''
    this.join(name)
  }

  /** Who is in the room: each member's name, a user once however many tabs it has open. */
  #here(members) {
    const names = members.map((member) => member.data?.name ?? member.id)
    this.ui.here.textContent = names.length ? `Here (${names.length}): ${names.join(', ')}` : 'Here: —'
  }

  async #act(action, seconds) {
    const room = this.#name
    const publish = (count) => this.host.control(`publish?room=${room}&count=${count}`)
    if (action === 'publish') {
      await publish(SERVER_LINES)
      this.host.log('server', `published ${SERVER_LINES} lines into room:${room}`)
    } else if (action === 'trim') {
      const { trimmedTo } = await this.host.control(`trim?room=${room}`)
      this.host.log('server', `trimmed room:${room}: offsets up to ${trimmedTo.offset} are gone`)
    } else if (action === 'miss' || action === 'lose') {
      // The Stop fault closes every socket and refuses handshakes for a while: the page is away.
      await this.host.fault('stop', seconds)
      await publish(MISSED_LINES)
      this.host.log('server', `published ${MISSED_LINES} lines into room:${room} while the link was down`)
      if (action === 'lose') {
        await this.host.control(`trim?room=${room}`)
        this.host.log('server', `trimmed room:${room}: what the page missed is gone`)
      }
    }
  }

  #state(room) {
    const s = this.#room.getSnapshot()
    const was = this.ui.state.dataset.status
    const join = this.host.lastJoin(this.#room.name)
    if (s.status === 'joined' && was !== 'joined' && s.recovered && join) {
      const missed = join.offset - s.offset
      this.host.log(
        'room',
        `${this.#room.name}: joined again from offset ${s.offset}, ${plural(missed, 'line')} replayed`,
      )
    }
    room.since = s.epoch === null ? room.since : { epoch: s.epoch, offset: s.offset }
    const label =
      s.status === 'joined'
        ? s.recovered
          ? 'joined · recovered'
          : 'joined · live'
        : s.error
          ? `${s.status} · ${s.error.code}`
          : s.status
    if (s.status === 'joined' && s.recovered && room.gap) {
      // A later join got everything it asked for: the old gap is history.
      room.gap = null
      this.#drawGap(room)
    }
    this.ui.state.dataset.status = s.status
    this.ui.state.dataset.recovered = String(s.status === 'joined' && s.recovered)
    this.ui.state.textContent = label
    this.ui.position.textContent = s.epoch === null ? '—' : `${s.epoch.slice(0, 6)}… · offset ${s.offset}`
  }

  #line(room, channel, line, { epoch, offset }) {
    const join = this.host.lastJoin(channel)
    // A line up to the top of a join that resumed was published while the page was away.
    const recovered = !!join?.recovered && join.epoch === epoch && offset <= join.offset
    room.lines.push({ ...line, offset, recovered })
    if (room.lines.length > LIMIT) room.lines.shift()
    if (room === this.#rooms.get(this.#name)) this.#drawLines(room)
  }

  #gap(room, channel, { reason, from, to }) {
    const lost = Math.max(0, to - from + 1)
    room.gap = { reason, from, to, lost }
    room.lines.push({ gap: true, lost, reason })
    this.host.log('room', `${channel}: gap · ${reason} · offsets ${from}–${to} lost`)
    this.#drawGap(room)
    this.#drawLines(room)
  }

  #drawGap(room) {
    const gap = room.gap
    this.ui.gap.hidden = !gap
    if (!gap) return
    const why =
      gap.reason === 'epoch' ? 'the room started over on the server' : 'the server’s history no longer reaches back'
    this.ui.gap.textContent = gap.lost
      ? `${plural(gap.lost, 'message')} could not be recovered: ${why} (offsets ${gap.from}–${gap.to}).`
      : `Nothing more to recover: ${why}.`
  }

  #drawLines(room) {
    const items = room.lines.map((line) => {
      if (line.gap) {
        return element('li', 'room-line room-lost', `${plural(line.lost, 'message')} lost here`)
      }
      const item = element('li', 'room-line')
      item.dataset.offset = String(line.offset)
      item.dataset.recovered = String(line.recovered)
      const offset = element('span', 'room-offset', `#${line.offset}`)
      const who = element('strong', '', line.from)
      const text = element('span', 'room-text', line.text)
      item.append(offset, who, text)
      if (line.recovered) item.append(element('span', 'badge', 'recovered'))
      return item
    })
    if (!items.length) items.push(element('li', 'empty', 'No lines yet. Publish one, or have the server publish.'))
    this.ui.lines.replaceChildren(...items)
    this.ui.lines.scrollTop = this.ui.lines.scrollHeight
  }
}
