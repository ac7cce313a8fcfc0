// A sample of docs/vue.md, at the path the guide names, so its imports resolve as in an app.
// #region main
// main.ts
import { connect } from '@lifeline/core'
import { createLifeline } from '@lifeline/vue'
import { createApp } from 'vue'
import App from './App.vue'
import type { Incoming, Outgoing } from './messages'

const socket = connect<Incoming, Outgoing>('wss://example.com/live', { heartbeat: true })
createApp(App).use(createLifeline(socket)).mount('#app')
// #endregion
