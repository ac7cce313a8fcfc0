/**
 * The framework-free parts of Lifeline's framework adapters (`@lifeline/react`, `@lifeline/vue`),
 * for writing an adapter of your own: a bounded message log as an external store, the
 * ref-counted registry that shares one socket between the components using the same url and
 * options, and the sharing key it uses.
 *
 * @packageDocumentation
 */
export { listen } from './adapters/listen.js'
export { type MessageLog, messageLog, noMessages } from './adapters/messageLog.js'
export { sharingKey, sharingShape } from './adapters/sharingKey.js'
export { GRACE_PERIOD, release, retain, type SharedEntry, sharedEntry } from './adapters/socketRegistry.js'
export type { AnyOptions, AnySocket } from './adapters/types.js'
