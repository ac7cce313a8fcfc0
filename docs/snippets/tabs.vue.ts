// The Vue sample of docs/tabs.md, pasted into the guide as it is.
// #region vue
// main.ts
import { connectShared } from '@lifeline/core/tabs'
import { createLifeline } from '@lifeline/vue'
import { createApp } from 'vue'
import App from './App.vue'
import type { Incoming, Outgoing } from './tabs'

const socket = connectShared<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })
createApp(App).use(createLifeline(socket)).mount('#app')
// In a component: useSocket(), useSocketState(), useSocketEvent('chat', …) as with connect().
// #endregion
