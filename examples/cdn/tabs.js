// The "Tabs" card: whether this page shares one connection with the other tabs
// (Lifeline.connectShared, from lifeline-tabs.iife.min.js), which tab leads, how many tabs share
// the connection, and how many connections the server sees; and what happens when the leader goes.

/** Sharing is on with `?share` in the URL, so a tab opened from here shares too. */
export const SHARE_PARAM = 'share'

export class TabsPanel {
  /**
   * @param {{ card: HTMLElement, mode: HTMLElement, text: HTMLElement, role: HTMLElement, count: HTMLElement,
   *   server: HTMLElement, open: HTMLButtonElement, share: HTMLButtonElement, leave: HTMLButtonElement,
   *   events: HTMLElement }} ui
   * @param {any} socket
   * @param {boolean} shared
   * @param {(kind: string, text: string) => void} log
   */
  constructor(ui, socket, shared, log) {
    this.ui = ui
    this.socket = socket
    this.shared = shared
    this.log = log
    /** When this tab last saw the connection go because its leader did, for the handover time. */
    this.leaderGoneAt = 0
    this.wasLeader = false

    ui.mode.textContent = shared ? 'one connection' : 'one per tab'
    ui.mode.dataset.shared = String(shared)
    ui.share.textContent = shared ? 'Give each tab its own connection' : 'Share one connection across tabs'
    ui.open.addEventListener('click', () => window.open(location.href, '_blank'))
    ui.share.addEventListener('click', () => {
      const url = new URL(location.href)
      if (shared) url.searchParams.delete(SHARE_PARAM)
      else url.searchParams.set(SHARE_PARAM, '')
      location.assign(url)
    })
    // Only a tab a script opened may close itself.
    ui.leave.hidden = !window.opener
    ui.leave.addEventListener('click', () => window.close())

    socket.subscribe(() => this.render())
    socket.on('close', (/** @type {{ code: number, willReconnect: boolean }} */ close) => {
      // A follower whose leader went: its socket reports the link dropped (1006) and comes back at once.
      if (shared && close.willReconnect && close.code === 1006) this.leaderGoneAt = performance.now()
    })
    socket.on('open', () => {
      if (!this.leaderGoneAt) return
      const ms = Math.round(performance.now() - this.leaderGoneAt)
      this.leaderGoneAt = 0
      this.event('handover', `back through ${socket.getSnapshot().leader ? 'this tab' : 'another tab'} in ${ms} ms`)
    })
    this.render()
  }

  render() {
    const { ui, socket, shared } = this
    const s = socket.getSnapshot()
    const role = !shared ? 'own' : s.leader ? 'leader' : 'follower'
    ui.card.dataset.role = role
    ui.role.textContent = { own: 'Own link', leader: 'Leader', follower: 'Follower' }[role]
    ui.count.textContent = String(shared ? s.tabs : 1)
    ui.text.textContent = !shared
      ? 'Each tab opens its own WebSocket: open another tab and the server counts one more connection.'
      : s.leader
        ? `This tab holds the one WebSocket for ${s.tabs === 1 ? 'itself' : `all ${s.tabs} tabs`}. Close it and another tab takes over at once.`
        : 'This tab reaches the server through the leader tab, over a BroadcastChannel. Close the leader tab to watch one of the others take over.'
    if (shared && s.leader && !this.wasLeader) this.event('leader', 'this tab holds the connection now')
    this.wasLeader = shared && s.leader
  }

  /** @param {number} clients WebSockets open at the server, as /control/status reports them. */
  server(clients) {
    this.ui.server.textContent = String(clients)
  }

  /** @param {string} type @param {string} text */
  event(type, text) {
    this.log('tabs', text)
    const item = document.createElement('li')
    item.dataset.type = type
    const time = document.createElement('time')
    time.textContent = new Date().toLocaleTimeString([], { hour12: false })
    item.append(time, ` ${text}`)
    this.ui.events.prepend(item)
    while (this.ui.events.childElementCount > 4) this.ui.events.lastElementChild?.remove()
  }
}
