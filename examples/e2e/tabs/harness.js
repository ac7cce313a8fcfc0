// One tab of the browser tests: a shared socket (or, with ?shared=0, a socket of its own) whose
// events are logged on `window.log` for the test to read. ?ws= is the server, ?store= a queue key.
const params = new URLSearchParams(location.search)
const key = params.get('store')
const webStorageQueue = Lifeline.webStorageQueue ?? LifelineStore.webStorageQueue
const make = params.get('shared') === '0' ? Lifeline.connect : Lifeline.connectShared
const socket = make(params.get('ws'), {
  reconnect: { initialDelay: 50, maxDelay: 250 },
  requestTimeout: 30_000,
  queue: key ? { store: webStorageQueue(key) } : true,
})
const log = { messages: [], drops: [], errors: [], opens: 0, closes: [] }
socket.on('message', (message) => log.messages.push(message))
socket.on('drop', (drop) => log.drops.push(drop))
socket.on('error', (error) => log.errors.push(error.code))
socket.on('open', () => log.opens++)
socket.on('close', (close) => log.closes.push(close))
socket.subscribe(() => {
  const { status, leader, tabs } = socket.getSnapshot()
  // This script runs in <head>: the first changes (a stored queue loaded, say) can come before <body> is parsed.
  const line = document.getElementById('status')
  if (line) line.textContent = `${status} ${leader ? 'leader' : 'follower'} ${tabs}`
})
/** Sends a request; its outcome lands in `window.replies[n]`. */
const replies = {}
const ask = (type, n) =>
  socket.request(type, { n }).then(
    (reply) => {
      replies[n] = reply
    },
    (error) => {
      replies[n] = { error: error.code }
    },
  )
Object.assign(window, { socket, log, replies, ask })
/** Sends `total` ticks `{ tab, n, pad }`, `burst` at a time every `every` ms, each padded with `pad` characters. */
const ticking = (tab, every, burst, pad, total) => {
  let n = 0
  const timer = setInterval(() => {
    for (let i = 0; i < burst && n < total; i++) socket.send('tick', { tab, n: n++, pad: 'x'.repeat(pad) })
    if (n === total) clearInterval(timer)
  }, every)
}
Object.assign(window, { ticking })
