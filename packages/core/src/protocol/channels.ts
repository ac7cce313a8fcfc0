// The frames of channels with recovery (docs/protocol.md, "Channels"): what the client's channels
// entry and the server both read and write.

/** The request that joins a channel (with `since`: and replays what was missed after it). */
export const JOIN = '$join'
/** The message that leaves a channel; it has no reply. */
export const LEAVE = '$leave'
/** The request that publishes into a channel. */
export const PUBLISH = '$publish'

/** The longest channel name, in characters (UTF-16 code units, as JavaScript counts a string's length). */
export const MAX_CHANNEL_LENGTH = 256

/** The longest subscriber id (`sub`) of a `$join` or `$leave`, in characters. */
export const MAX_SUB_LENGTH = 64

/**
 * How many subscribers one connection may have in one channel: the tabs that share it under
 * `connectShared`, each with its own `sub`.
 */
export const MAX_SUBS = 64

/**
 * A place in a channel: its `epoch` (changes whenever the channel's history is lost or made
 * again) and an `offset` (+1 per publication, from 1; 0 before the first).
 */
export interface ChannelPosition {
  /** The channel's epoch: a new one whenever its history is lost or made again. */
  epoch: string
  /** The offset of a publication in the epoch: +1 per publication, from 1; 0 before the first. */
  offset: number
}

/** Why a join could not replay what was missed: the history no longer reaches back, or the epoch changed. */
export type ChannelGapReason = 'trimmed' | 'epoch'

/** The offsets, in the reply's epoch, that will never be delivered: `from` to `to`, both included (empty when `to < from`). */
export interface ChannelGap {
  /** Why the missed publications cannot be replayed: `trimmed` or `epoch`. */
  reason: ChannelGapReason
  /** The first offset never delivered. */
  from: number
  /** The last offset never delivered (included). */
  to: number
}

/**
 * What `$join` asks: `{"channel": "room:42", "since"?: { "epoch", "offset" }, "sub"?: "k3j9"}`.
 * `sub` names the subscriber on this connection (one per tab that shares it): the connection stays
 * in the channel until every subscriber that joined has left.
 */
export interface JoinRequest {
  /** The channel. */
  channel: string
  /** The last position the subscriber delivered: what comes after it is replayed. */
  since?: ChannelPosition
  /** The subscriber on this connection; absent is the subscriber `""`. */
  sub?: string
  /**
   * Who is in the channel: `list` answers with its members and then sends who joins and leaves
   * ({@link PresenceFrame}); `count` answers with their number and then sends it when it changes.
   * Absent: neither.
   */
  presence?: PresenceMode
}

/** What a join asks to know of the channel's members: each of them, or how many they are. */
export type PresenceMode = 'list' | 'count'

/**
 * A member of a channel: a user, not a connection. `id` is the user the server's `authenticate`
 * named (`userId`, else `id` of what it returned), else the connection's id; `data` is what
 * `authenticate` returned.
 */
export interface PresenceMember<D = unknown> {
  /** The user's id: one per user, however many tabs and connections it has. */
  id: string
  /** What the server's `authenticate` returned for the user's connection. */
  data: D
}

/**
 * A change of a channel's members, sent to the peers that joined it with `presence`:
 * `{"pr": "room:42", "j"?: [{"id","data"}], "l"?: ["id"]}` (`list`) or `{"pr": "room:42", "n": 12}`
 * (`count`). It has no `type`.
 */
export interface PresenceFrame {
  /** The channel. */
  pr: string
  /** The members who joined (or whose data changed). */
  j?: PresenceMember[]
  /** The ids of the members who left. */
  l?: string[]
  /** How many members the channel has now (`count`). */
  n?: number
}

/** What `$leave` says: `{"channel": "room:42", "sub"?: "k3j9"}`. */
export interface LeaveMessage {
  /** The channel. */
  channel: string
  /** The subscriber that leaves; absent is the subscriber `""`. */
  sub?: string
}

/**
 * A successful join's reply data: the channel's top when the replay was read, whether the
 * publications after `since` follow (`recovered`), and the gap when they cannot.
 */
export interface JoinReply extends ChannelPosition {
  /** Whether the publications after `since` are replayed; `false` without `since` or with a gap. */
  recovered: boolean
  /** The offsets that will never be delivered, when `since` was given and cannot be replayed from. */
  gap?: ChannelGap
  /** The channel's members, joiner included, when the join asked `presence: 'list'`. */
  members?: PresenceMember[]
  /** How many members the channel has, joiner included, when the join asked `presence: 'count'`. */
  count?: number
}

/** What `$publish` asks: `{"channel": "room:42", "data"?: payload}`. */
export interface PublishRequest<T = unknown> {
  /** The channel to publish into. */
  channel: string
  /** The payload; absent when there is none. */
  data?: T
}

/** A publication as the server sends it: `{"ch", "e", "o", "data"?}`. It has no `type`. */
export interface PublicationFrame<T = unknown> {
  /** The channel. */
  ch: string
  /** The epoch of `o`. */
  e: string
  /** The offset. */
  o: number
  /** The payload; absent when the publisher had none. */
  data?: T
}

/** Whether `name` can name a channel: a string of 1 to {@link MAX_CHANNEL_LENGTH} characters. */
export function isChannelName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= MAX_CHANNEL_LENGTH
}

/**
 * Whether a decoded message is a publication: an object with a string `ch`, a string `e` and an
 * integer `o`.
 *
 * @example
 * ```ts
 * isPublication({ ch: 'room:42', e: 'e1', o: 21, data: { text: 'hi' } }) // true
 * isPublication({ type: 'chat' }) // false
 * ```
 */
export function isPublication(message: unknown): message is PublicationFrame {
  const frame = message as Partial<PublicationFrame> | null
  return (
    typeof frame === 'object' &&
    frame !== null &&
    typeof frame.ch === 'string' &&
    typeof frame.e === 'string' &&
    Number.isInteger(frame.o)
  )
}

/**
 * Whether a decoded message is a presence frame: an object with a string `pr`.
 *
 * @example
 * ```ts
 * isPresenceFrame({ pr: 'room:42', l: ['u7'] }) // true
 * ```
 */
export function isPresenceFrame(message: unknown): message is PresenceFrame {
  return typeof (message as Partial<PresenceFrame> | null)?.pr === 'string'
}

/**
 * A publication frame split around its epoch and offset, which a history fills in when it
 * numbers the publication: `head + epoch + '","o":' + offset + tail` is the frame's JSON text,
 * with `data` left out when it is `undefined`. `data` is the payload already as JSON text.
 *
 * @example
 * ```ts
 * const { head, tail } = publicationParts('room:42', '{"text":"hi"}')
 * `${head}e1","o":21${tail}` // '{"ch":"room:42","e":"e1","o":21,"data":{"text":"hi"}}'
 * ```
 */
export function publicationParts(
  channel: string,
  data: string | undefined,
): {
  /** The frame's JSON text up to its epoch: `{"ch":<channel>,"e":"`. */
  head: string
  /** The frame's JSON text after its offset: `,"data":<data>}`, or `}` without `data`. */
  tail: string
} {
  return { head: `{"ch":${JSON.stringify(channel)},"e":"`, tail: data === undefined ? '}' : `,"data":${data}}` }
}

/** A publication's JSON text from its parts (see {@link publicationParts}). */
export const publicationText = (parts: { head: string; tail: string }, epoch: string, offset: number): string =>
  `${parts.head}${epoch}","o":${offset}${parts.tail}`
