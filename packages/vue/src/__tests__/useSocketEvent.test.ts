import { describe, expect, it, vi } from 'vitest'
import { effectScope } from 'vue'
import { useSocketEvent } from '../index.js'
import { fakeSocket, openLink, serverSend, useFakes } from './helpers.js'

useFakes()

describe('useSocketEvent', () => {
  it('calls the handler with the same payload as socket.on(type)', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const handler = vi.fn()
    const direct = vi.fn()
    scope.run(() => useSocketEvent('chat', handler, socket))
    socket.on('chat', direct)
    await openLink()
    serverSend('chat', { from: 'ann', text: 'hi' })
    serverSend('count', 3)
    expect(handler).toHaveBeenCalledTimes(1)
    expect(handler).toHaveBeenCalledWith({ from: 'ann', text: 'hi' })
    expect(handler.mock.calls).toEqual(direct.mock.calls)
    scope.stop()
    socket.dispose()
  })

  it('listens to lifecycle events too', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const close = vi.fn()
    scope.run(() => useSocketEvent('close', close, socket))
    const ws = await openLink()
    ws.serverClose(1012)
    expect(close).toHaveBeenCalledWith({ code: 1012, reason: '', wasClean: true, willReconnect: true })
    scope.stop()
    socket.dispose()
  })

  it('stops listening when the scope is disposed', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const handler = vi.fn()
    scope.run(() => useSocketEvent('chat', handler, socket))
    await openLink()
    scope.stop()
    serverSend('chat', { from: 'ann', text: 'after' })
    expect(handler).not.toHaveBeenCalled()
    socket.dispose()
  })

  it('returns a function that stops listening earlier', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const handler = vi.fn()
    const stop = scope.run(() => useSocketEvent('count', handler, socket))!
    await openLink()
    serverSend('count', 1)
    stop()
    serverSend('count', 2)
    expect(handler.mock.calls).toEqual([[1]])
    scope.stop()
    socket.dispose()
  })

  it('leaves the socket working when a handler throws', async () => {
    const socket = fakeSocket()
    const scope = effectScope()
    const errors = vi.fn()
    scope.run(() => {
      useSocketEvent(
        'count',
        () => {
          throw new Error('boom')
        },
        socket,
      )
      useSocketEvent('error', (error) => errors(error.code), socket)
    })
    await openLink()
    serverSend('count', 1)
    expect(errors).toHaveBeenCalledWith('HANDLER_FAILED')
    expect(socket.getSnapshot().status).toBe('open')
    scope.stop()
    socket.dispose()
  })
})
