import type { MessageMap, Socket } from '@lifeline/core'
import { markRaw, type Plugin } from 'vue'
import { socketKey } from './provideSocket.js'

/**
 * A Vue plugin that makes `socket` the app's socket: `useSocket()` and every composable called
 * without a socket use it, unless a nearer `provideSocket` overrides it. The plugin does not own
 * the socket: unmounting the app leaves it open, and disposing it stays your call.
 *
 * @example
 * ```ts
 * import { connect } from '@lifeline/core'
 * import { createLifeline } from '@lifeline/vue'
 *
 * const socket = connect<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })
 * createApp(App).use(createLifeline(socket)).mount('#app')
 * ```
 */
export function createLifeline<In extends MessageMap<In>, Out>(socket: Socket<In, Out>): Plugin {
  return {
    install(app) {
      app.provide(socketKey, markRaw(socket) as unknown as Socket)
    },
  }
}
