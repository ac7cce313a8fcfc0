// The kit under Jest, as a Jest user writes it: modern fake timers, legacy fake timers, real timers.
const { connect } = require('@lifeline/core')
const { createTestServer } = require('@lifeline/testing')

const FAST = { initialDelay: 100, jitter: 'none' }

describe.each([
  ['modern fake timers', () => jest.useFakeTimers()],
  ['legacy fake timers', () => jest.useFakeTimers({ legacyFakeTimers: true })],
  ['real timers', () => jest.useRealTimers()],
])('the test server under Jest, %s', (mode, install) => {
  const fake = mode !== 'real timers'
  let server
  let socket

  beforeEach(() => {
    install()
    server = createTestServer()
  })
  afterEach(() => {
    socket?.dispose()
    server.stop()
    jest.useRealTimers()
  })

  /** Lets `ms` of time pass: fake time is advanced (legacy timers have no async variant), real time is waited. */
  async function elapse(ms) {
    if (!fake) return new Promise((resolve) => setTimeout(resolve, ms))
    if (mode === 'legacy fake timers') jest.advanceTimersByTime(ms)
    else await jest.advanceTimersByTimeAsync(ms)
  }

  it('connects and records a message without advancing any timer', async () => {
    socket = connect(server.url, { WebSocket: server.WebSocket, reconnect: FAST })
    await server.waitForConnection()
    expect(socket.getSnapshot().status).toBe('open')
    socket.send('chat', { text: 'hi' })
    expect((await server.waitForMessage('chat')).data).toEqual({ text: 'hi' })
  })

  it('replies to a request', async () => {
    socket = connect(server.url, { WebSocket: server.WebSocket, reconnect: FAST })
    server.handle('getUser', ({ id }) => ({ id, name: 'Ada' }))
    await expect(socket.request('getUser', { id: '42' })).resolves.toEqual({ id: '42', name: 'Ada' })
  })

  it('brings the client back after a restart, once the retry delay has passed', async () => {
    socket = connect(server.url, { WebSocket: server.WebSocket, reconnect: FAST })
    await server.waitForConnection()
    await server.close(1012, 'restart')
    expect(socket.getSnapshot()).toMatchObject({ status: 'reconnecting', lastClose: { code: 1012 } })
    expect(socket.send('chat', { text: 'while down' })).toBe('queued')
    await elapse(100)
    await server.waitForConnection()
    expect((await server.waitForMessage('chat')).data).toEqual({ text: 'while down' })
  })

  // Legacy fake timers leave Date.now() and performance.now() alone, and Lifeline's deadlines read
  // them: the heartbeat needs modern fake timers (Jest's default) or real ones.
  if (mode === 'legacy fake timers') return
  it('lets the heartbeat notice a server that stopped answering', async () => {
    socket = connect(server.url, {
      WebSocket: server.WebSocket,
      reconnect: FAST,
      heartbeat: { interval: 100, timeout: 100 },
    })
    const errors = []
    socket.on('error', (error) => errors.push(error.code))
    await server.waitForConnection()
    server.answerPings(false)
    for (let i = 0; i < 30 && !errors.length; i++) await elapse(10)
    expect(errors).toEqual(['HEARTBEAT_TIMEOUT'])
  })
})
