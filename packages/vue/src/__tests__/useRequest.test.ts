import { connect, isLifelineError, type Socket } from '@lifeline/core'
import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { createSSRApp, defineComponent, effectScope, h, watch } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createLifeline, useRequest } from '../index.js'
import { FakeWebSocket, fakeOptions, openLink, settle, URL_A, useFakes } from './helpers.js'

useFakes()

interface Outgoing {
  getUser: { id: string }
  search: { q: string }
}
interface Replies {
  getUser: { name: string }
  search: string[]
}
type App = Socket<Record<string, unknown>, Outgoing, Replies>

/** A socket on a FakeWebSocket, open unless told otherwise. */
async function open(options: { open?: boolean } = {}): Promise<App> {
  const socket = connect<Record<string, unknown>, Outgoing, Replies>(URL_A, fakeOptions)
  if (options.open !== false) await openLink()
  return socket
}

/** The requests written to the newest link, as `{ type, data, id }`. */
const requests = () =>
  (FakeWebSocket.last.messages as Array<{ type: string; data?: unknown; id: string }>).filter((m) => m.id)

/** The server's reply to the `n`th request written (0 for the first), once the composable's refs have followed. */
async function reply(n: number, body: { data?: unknown; error?: unknown }): Promise<void> {
  FakeWebSocket.last.serverSend({ re: requests()[n]?.id, ...body })
  await settle()
}

/** Runs `fn` in an effect scope, as a component's setup or a store would. */
function inScope<T>(fn: () => T) {
  const scope = effectScope()
  const result = scope.run(fn) as T
  return { result, stop: () => scope.stop() }
}

describe('useRequest', () => {
  it('gives readonly refs: idle, then pending, then the reply data', async () => {
    const socket = await open()
    const { result: user, stop } = inScope(() => useRequest('getUser', socket))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    // @ts-expect-error: the refs are readonly
    user.status.value = 'success'
    expect(user.status.value).toBe('idle') // readonly: a write warns and changes nothing
    expect(warn).toHaveBeenCalled()
    expect([user.status.value, user.data.value, user.error.value, user.pending.value]).toEqual([
      'idle',
      undefined,
      null,
      false,
    ])

    const sent = user.send({ id: '42' })
    expect([user.status.value, user.pending.value]).toEqual(['pending', true])
    await settle()
    expect(requests()).toEqual([{ type: 'getUser', data: { id: '42' }, id: expect.any(String) }])
    await reply(0, { data: { name: 'ana' } })

    expect([user.status.value, user.data.value, user.error.value, user.pending.value]).toEqual([
      'success',
      { name: 'ana' },
      null,
      false,
    ])
    expect(await sent).toEqual({ name: 'ana' })
    stop()
    socket.dispose()
  })

  it('puts a failure in error as a LifelineError, keeping the last data', async () => {
    const socket = await open()
    const { result: user, stop } = inScope(() => useRequest('getUser', socket))
    user.send({ id: '1' })
    await settle()
    await reply(0, { data: { name: 'ana' } })
    user.send({ id: '2' })
    await settle()
    await reply(1, { error: { code: 'NOT_FOUND', message: 'no such user' } })

    expect(isLifelineError(user.error.value)).toBe(true)
    expect(user.error.value).toMatchObject({ code: 'REQUEST_FAILED', cause: { code: 'NOT_FOUND' } })
    expect([user.status.value, user.data.value]).toEqual(['error', { name: 'ana' }])
    stop()
    socket.dispose()
  })

  it('a new send aborts the request before it; only the latest reaches the refs', async () => {
    const socket = await open()
    const { result: search, stop } = inScope(() => useRequest('search', socket))
    const first = search.send({ q: 'a' })
    await settle()
    search.send({ q: 'ab' })
    await settle()

    expect(await first).toBeUndefined() // replaced: the refs follow the newer one
    await reply(0, { data: ['stale'] })
    await reply(1, { data: ['fresh'] })

    expect([search.status.value, search.data.value]).toEqual(['success', ['fresh']])
    expect(socket.getSnapshot().pending).toBe(0)
    stop()
    socket.dispose()
  })

  it('changes each ref only with its field: a watcher of data ignores pending', async () => {
    const socket = await open()
    const { result: user, stop } = inScope(() => useRequest('getUser', socket))
    const seen: unknown[] = []
    inScope(() => watch(user.data, (data) => seen.push(data), { flush: 'sync' }))
    user.send({ id: '1' })
    await settle()
    user.send({ id: '2' })
    await settle()
    await reply(1, { data: { name: 'bo' } })

    expect(seen).toEqual([{ name: 'bo' }])
    stop()
    socket.dispose()
  })

  it('disposing the scope aborts the request in flight; a queued one is never sent', async () => {
    const socket = await open({ open: false })
    const { result: user, stop } = inScope(() => useRequest('getUser', socket))
    const sent = user.send({ id: '1' })
    await settle()
    expect(socket.getSnapshot()).toMatchObject({ queued: 1, pending: 1 })

    stop()

    expect(await sent).toBeUndefined()
    expect(socket.getSnapshot()).toMatchObject({ queued: 0, pending: 0 })
    FakeWebSocket.last.serverOpen()
    await settle()
    expect(requests()).toEqual([])
    socket.dispose()
  })

  it('abort() records REQUEST_ABORTED; reset() returns to idle', async () => {
    const socket = await open()
    const { result: user, stop } = inScope(() => useRequest('getUser', socket))
    user.send({ id: '1' })
    await settle()

    user.abort('cancelled')
    await settle()
    expect(user.error.value).toMatchObject({ code: 'REQUEST_ABORTED', cause: 'cancelled' })
    user.reset()
    expect([user.status.value, user.error.value]).toEqual(['idle', null])
    stop()
    socket.dispose()
  })

  it('in a component, uses the app socket and aborts on unmount', async () => {
    const socket = await open()
    const Profile = defineComponent({
      setup() {
        const user = useRequest<Record<string, unknown>, Outgoing, Replies, 'getUser'>('getUser')
        user.send({ id: '7' })
        return () => h('p', user.pending.value ? '…' : (user.data.value?.name ?? ''))
      },
    })
    const wrapper = mount(Profile, { global: { plugins: [createLifeline(socket)] } })
    await settle()
    expect(wrapper.text()).toBe('…')
    expect(requests()).toHaveLength(1)

    wrapper.unmount()
    await settle()

    expect(socket.getSnapshot().pending).toBe(0)
    socket.dispose()
  })

  it('throws NO_SOCKET without a socket or a provided one', () => {
    expect(() => inScope(() => useRequest('getUser'))).toThrow(expect.objectContaining({ code: 'NO_SOCKET' }))
  })
})

describe('useRequest during a server render', () => {
  it('a failing send from a template handler or a watcher reports nothing to Vue: the failure is in error', async () => {
    const socket = await open()
    const errorHandler = vi.fn()
    const warnHandler = vi.fn()
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const warnings = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const UserName = defineComponent({
      props: { id: { type: String, required: true } },
      setup(props) {
        const { send, error } = useRequest('getUser', socket)
        watch(
          () => props.id,
          (id) => send({ id }),
          { immediate: true },
        )
        return () => h('button', { onClick: () => send({ id: props.id }) }, error.value?.code ?? 'ok')
      },
    })
    const wrapper = mount(UserName, {
      props: { id: '1' },
      global: { config: { errorHandler, warnHandler } },
    })
    await settle()
    await wrapper.setProps({ id: '2' }) // the watcher's new send replaces the first: REQUEST_ABORTED
    await settle()
    await reply(1, { error: { code: 'NOT_FOUND', message: 'no user 2' } })
    await wrapper.find('button').trigger('click')
    await settle()
    await reply(2, { error: { code: 'NOT_FOUND', message: 'no user 2' } })

    expect(wrapper.text()).toBe('REQUEST_FAILED')
    expect(errorHandler).not.toHaveBeenCalled()
    expect(warnHandler).not.toHaveBeenCalled()
    expect(errors).not.toHaveBeenCalled()
    expect(warnings).not.toHaveBeenCalled()
    wrapper.unmount()
    socket.dispose()
  })

  it('stays idle and asks nothing, even when setup sends on an open socket', async () => {
    const socket = await open()
    const unhandled = vi.fn()
    process.on('unhandledRejection', unhandled)
    let answer: unknown = 'not yet'
    const Profile = defineComponent({
      setup() {
        const user = useRequest('getUser', socket)
        user.send({ id: '1' }).then((data) => {
          answer = data
        })
        return () => h('p', `${user.status.value}|${user.pending.value}|${String(user.data.value)}`)
      },
    })

    try {
      expect(await renderToString(createSSRApp(Profile))).toBe('<p>idle|false|undefined</p>')
      await settle()
      expect(requests()).toEqual([])
      expect(socket.getSnapshot().pending).toBe(0)
      expect(answer).toBeUndefined()
      expect(unhandled).not.toHaveBeenCalled()
    } finally {
      process.off('unhandledRejection', unhandled)
      socket.dispose()
    }
  })
})
