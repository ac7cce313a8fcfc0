// A sample of docs/vue.md, at the path the guide names, so its imports resolve as in an app.
// #region use-live
// useLive.ts
import { useSocket } from '@lifeline/vue'
import type { Incoming, Outgoing, Replies } from './messages'

export const useLive = () => useSocket<Incoming, Outgoing, Replies>()
// #endregion
