// The app's socket, typed with the messages the demo server speaks on /live (examples/shared/live.ts).
import { useSocket } from '@lifeline/vue'
import type { Incoming, Outgoing } from '../../shared/live'

/** The socket `App.vue` provides, typed with the app's messages. */
export const useLive = () => useSocket<Incoming, Outgoing>()
