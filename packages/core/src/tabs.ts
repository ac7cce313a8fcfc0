/**
 * One connection for every tab: `connectShared` gives each tab of an origin the whole `Socket`
 * API over a single WebSocket, held by one tab (the leader) and handed over when it goes.
 *
 * @packageDocumentation
 */
export {
  connectShared,
  type SharedOptions,
  type SharedSnapshot,
  type SharedSocket,
} from './tabs/connectShared.js'
export type { TabChannel, TabChannelConstructor, TabLocks } from './tabs/protocol.js'
