/**
 * Channels that never miss a message: `channel(socket, name)` joins a channel on any `Socket`,
 * delivers each publication once and in channel order after any drop (the server replays what
 * was missed), or says exactly what could not be recovered with a `gap` event.
 *
 * @packageDocumentation
 */
export { type Channel, channel } from './channels/channel.js'
export type {
  ChannelEvents,
  ChannelGap,
  ChannelGapReason,
  ChannelOptions,
  ChannelPosition,
  ChannelSnapshot,
  ChannelSocket,
  ChannelStatus,
  PresenceMember,
} from './channels/types.js'
