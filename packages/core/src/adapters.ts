/**
 * The framework-free parts of Lifeline's framework adapters (`@lifeline/react`, `@lifeline/vue`),
 * for writing an adapter of your own: a bounded message log, a one-at-a-time request, a
 * channel and its presence as external stores, the ref-counted registry that shares one socket between the components using
 * the same url and options, and the sharing key it uses.
 *
 * @packageDocumentation
 */
export {
  type ChannelState,
  type ChannelStore,
  type ChannelStoreOptions,
  channelStore,
  joiningChannel,
} from './adapters/channelStore.js'
export { listen } from './adapters/listen.js'
export { type MessageLog, messageLog, noMessages } from './adapters/messageLog.js'
export {
  nobody,
  type PresenceState,
  type PresenceStore,
  type PresenceStoreOptions,
  presenceStore,
} from './adapters/presenceStore.js'
export {
  idleRequest,
  type RequestState,
  type RequestStatus,
  type RequestStore,
  requestStore,
} from './adapters/requestStore.js'
export { sharingKey, sharingShape } from './adapters/sharingKey.js'
export { GRACE_PERIOD, release, retain, type SharedEntry, sharedEntry } from './adapters/socketRegistry.js'
export type { AnyOptions, AnySocket } from './adapters/types.js'
