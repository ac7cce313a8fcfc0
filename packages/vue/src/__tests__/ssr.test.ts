import { describe, expect, it, vi } from 'vitest'
import { createSSRApp, defineComponent, effectScope, h, nextTick } from 'vue'
import { renderToString } from 'vue/server-renderer'
import { createLifeline, useLastMessage, useMessages, useSocket, useSocketEvent, useSocketState } from '../index.js'
import {
  FakeWebSocket,
  fakeOptions,
  fakeSocket,
  type Incoming,
  type Outgoing,
  settle,
  URL_A,
  useFakes,
} from './helpers.js'

useFakes()

/** A page that owns its socket and shows its status, as an app would. */
const OwnSocket = defineComponent({
  setup() {
    const socket = useSocket<Incoming, Outgoing>(URL_A, fakeOptions)
    const { status } = useSocketState(socket)
    const last = useLastMessage('chat', socket)
    const counts = useMessages('count', {}, socket)
    return () => h('p', `${status.value}|${last.value?.text ?? '-'}|${counts.value.length}`)
  },
})

describe('server rendering', () => {
  it('shows status idle and opens nothing', async () => {
    const html = await renderToString(createSSRApp(OwnSocket))
    expect(html).toBe('<p>idle|-|0</p>')
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(0)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('works where the runtime has no WebSocket (Node 20)', async () => {
    vi.stubGlobal('WebSocket', undefined)
    const App = defineComponent({
      setup() {
        const { status } = useSocketState(useSocket('/live'))
        return () => h('p', status.value)
      },
    })
    expect(await renderToString(createSSRApp(App))).toBe('<p>idle</p>')
  })

  it('does not open a socket made in a store-like effect scope during the render', async () => {
    let status = ''
    const App = defineComponent({
      setup() {
        // What a Pinia setup store does: its own detached scope, run with the app's context.
        const socket = effectScope(true).run(() => useSocket(URL_A, fakeOptions))!
        status = socket.getSnapshot().status
        return () => h('p', status)
      },
    })
    expect(await renderToString(createSSRApp(App))).toBe('<p>idle</p>')
    await settle()
    expect(status).toBe('idle')
    expect(FakeWebSocket.instances).toHaveLength(0)
  })

  it('neither subscribes to nor listens on a provided socket, so server renders leak nothing', async () => {
    const socket = fakeSocket({ autoConnect: false })
    const subscribe = vi.spyOn(socket, 'subscribe')
    const on = vi.spyOn(socket, 'on')
    const App = defineComponent({
      setup() {
        const { status } = useSocketState()
        useSocketEvent('chat', () => {})
        const last = useLastMessage('chat')
        return () => h('p', `${status.value}|${String(last.value)}`)
      },
    })
    for (let i = 0; i < 3; i++) {
      expect(await renderToString(createSSRApp(App).use(createLifeline(socket)))).toBe('<p>idle|undefined</p>')
    }
    expect(subscribe).not.toHaveBeenCalled()
    expect(on).not.toHaveBeenCalled()
    socket.dispose()
  })

  it('hydrates on the client without a mismatch, then opens once mounted', async () => {
    const html = await renderToString(createSSRApp(OwnSocket))
    const container = document.createElement('div')
    container.innerHTML = html
    const warnings: string[] = []
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    const app = createSSRApp(OwnSocket)
    app.config.warnHandler = (message) => {
      warnings.push(message)
    }
    app.mount(container)
    expect(warnings).toEqual([])
    expect(errors).not.toHaveBeenCalled()
    await settle()
    expect(FakeWebSocket.instances).toHaveLength(1)
    await nextTick()
    expect(container.textContent).toBe('connecting|-|0')
    app.unmount()
    expect(FakeWebSocket.live()).toEqual([])
  })
})
