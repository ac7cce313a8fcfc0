import { FakeWebSocket } from '@lifeline/test-support/fakeWebSocket'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { connect } from '../connect.js'
import { redactUrl } from '../logger.js'
import { openLink } from './helpers.js'

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

function recordingLogger() {
  const lines: string[] = []
  const record = (...args: unknown[]) =>
    lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))
  return { lines, logger: { debug: record, info: record, warn: record, error: record } }
}

describe('logger', () => {
  it('keeps passwords and query values out of logged URLs, as the guide shows them', () => {
    expect(redactUrl('wss://user:secret@example.com/live?token=abc&room=1')).toBe(
      'wss://user:***@example.com/live?token=***&room=***',
    )
    expect(redactUrl('wss://example.com/live?token=s3cret')).toBe('wss://example.com/live?token=***')
    expect(redactUrl('wss://example.com/live')).toBe('wss://example.com/live')
  })

  it('never logs tokens or payloads unless asked', async () => {
    const { lines, logger } = recordingLogger()
    const socket = connect('wss://example.com/live?token=s3cret', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      logger,
    })
    const ws = await openLink()
    socket.send('chat', { text: 'private words' })
    ws.serverSend({ type: 'chat', data: { text: 'private reply' } })
    ws.serverClose(1006)
    socket.dispose()
    const all = lines.join('\n')
    expect(lines).toContain('[lifeline] connecting to wss://example.com/live?token=***')
    expect(lines).toContain('[lifeline] open')
    expect(lines.some((line) => /^\[lifeline\] reconnecting in \d+ ms \(attempt 1\)$/.test(line))).toBe(true)
    expect(all).not.toContain('s3cret')
    expect(all).not.toContain('private')
  })

  it('keeps a token out of an INVALID_URL error even where the URL parser quotes the URL (Deno)', async () => {
    const { lines, logger } = recordingLogger()
    const Parser = globalThis.URL
    vi.stubGlobal(
      'URL',
      class extends Parser {
        constructor(input: string | URL, base?: string | URL) {
          if (String(input).includes('99999')) throw new TypeError(`Invalid URL: '${String(input)}'`)
          super(input, base)
        }
      },
    )
    const errors: Error[] = []
    const socket = connect(() => 'wss://example.com:99999/live?token=s3cret', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      reconnect: false,
      logger,
    })
    socket.on('error', (error) => errors.push(error))
    await vi.advanceTimersByTimeAsync(0)
    vi.unstubAllGlobals()
    expect(errors.map((error) => (error as { code?: string }).code)).toEqual(['INVALID_URL'])
    expect(errors[0]?.message).not.toContain('s3cret')
    expect(lines.join('\n')).not.toContain('s3cret')
    socket.dispose()
  })

  it('logs full URLs and payloads with logSensitive', async () => {
    const { lines, logger } = recordingLogger()
    const socket = connect('wss://example.com/live?token=s3cret', {
      WebSocket: FakeWebSocket,
      browserEvents: false,
      logger,
      logSensitive: true,
    })
    await openLink()
    socket.send('chat', { text: 'private words' })
    socket.dispose()
    expect(lines.join('\n')).toContain('s3cret')
    expect(lines.join('\n')).toContain('private words')
  })

  it('logs nothing by default', async () => {
    const spies = (['debug', 'info', 'warn', 'error'] as const).map((level) => vi.spyOn(console, level))
    const socket = connect('wss://example.com/live', { WebSocket: FakeWebSocket, browserEvents: false })
    ;(await openLink()).serverSend('{broken')
    socket.dispose()
    for (const spy of spies) expect(spy).not.toHaveBeenCalled()
  })
})
