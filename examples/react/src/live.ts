// The app's socket, typed with the messages the demo server speaks on /live (examples/shared/live.ts).
import { useSocket } from '@lifeline/react'
import type { Incoming, Outgoing } from '../../shared/live'

/** The provider's socket, typed with the app's messages. */
export const useLive = () => useSocket<Incoming, Outgoing>()
