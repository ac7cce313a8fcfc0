import {
  type ChannelGap,
  type ChannelPosition,
  encodeEnvelope,
  errorReply,
  isChannelName,
  JOIN,
  type JoinReply,
  LEAVE,
  MAX_SUB_LENGTH,
  MAX_SUBS,
  PUBLISH,
  publicationParts,
  publicationText,
  reply,
} from '@lifeline/core/protocol'

/** How much of each channel's history the test server keeps. */
export interface TestHistoryOptions {
  /**
   * At most this many publications per channel, the oldest dropped first: a client that missed
   * more gets a `trimmed` gap.
   * @default 1000
   */
  size?: number
}

/** What the channels write to: one connection of the test server. */
export interface ChannelLink {
  readonly open: boolean
  sendRaw(frame: string): void
}

/** One channel's history: its epoch, its top offset and the publications kept, oldest first. */
interface Stream {
  epoch: string
  offset: number
  entries: Array<{ offset: number; frame: string }>
}

/** How many `$publish` ids are remembered, so that a resent publish is answered without publishing again. */
const DEDUPE = 1000

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A `$join`'s or `$leave`'s subscriber: `""` when absent, `null` when it is no valid one. */
const readSub = (sub: unknown): string | null =>
  sub === undefined ? '' : typeof sub === 'string' && sub.length <= MAX_SUB_LENGTH ? sub : null

function readSince(since: unknown): ChannelPosition | null | undefined {
  if (since === undefined || since === null) return null
  if (!isRecord(since)) return undefined
  const { epoch, offset } = since
  return typeof epoch === 'string' && Number.isSafeInteger(offset) && (offset as number) >= 0
    ? { epoch, offset: offset as number }
    : undefined
}

/**
 * The test server's channels, as docs/protocol.md says a server keeps them: `$join` answered with
 * the channel's position, then the replay of what was missed after `since` or a gap, never part of
 * it; `$leave` per subscriber; `$publish` numbered, kept, sent to every connection in the channel
 * (the publisher's included) and deduped by id. Everything happens at once, in the order asked, so
 * the order "reply, replay, live" holds without holding anything back.
 */
export function createChannels<C extends ChannelLink>(options: TestHistoryOptions = {}) {
  const { size = 1000 } = options
  if (!(Number.isInteger(size) && size >= 0)) throw new TypeError('history.size is an integer >= 0')
  const streams = new Map<string, Stream>()
  /** Each connection's channels, and the subscribers on it that joined and have not left. */
  const members = new Map<C, Map<string, Set<string>>>()
  const refusals = new Set<(channel: string) => boolean>()
  const published = new Map<string, ChannelPosition>()
  let epochs = 0

  const streamOf = (channel: string): Stream => {
    let stream = streams.get(channel)
    if (!stream) {
      stream = { epoch: `e${++epochs}`, offset: 0, entries: [] }
      streams.set(channel, stream)
    }
    return stream
  }

  const answer = (connection: C, id: string, data: unknown) => connection.sendRaw(encodeEnvelope(reply(id, data)))
  const refuse = (connection: C, id: string, code: string, message: string) =>
    connection.sendRaw(encodeEnvelope(errorReply(id, { code, message })))

  function publish(channel: string, data: unknown): ChannelPosition {
    if (!isChannelName(channel)) throw new TypeError('a channel name is a string of 1 to 256 characters')
    const json = data === undefined ? undefined : JSON.stringify(data)
    const stream = streamOf(channel)
    const offset = ++stream.offset
    const frame = publicationText(publicationParts(channel, json), stream.epoch, offset)
    stream.entries.push({ offset, frame })
    if (stream.entries.length > size) stream.entries.splice(0, stream.entries.length - size)
    for (const [connection, channels] of members)
      if (channels.has(channel) && connection.open) connection.sendRaw(frame)
    return { epoch: stream.epoch, offset }
  }

  function join(connection: C, id: string, data: unknown) {
    const channel = isRecord(data) ? data.channel : undefined
    const sub = isRecord(data) ? readSub(data.sub) : null
    const since = isRecord(data) ? readSince(data.since) : undefined
    if (!isChannelName(channel) || sub === null || since === undefined) {
      return refuse(connection, id, 'JOIN_REFUSED', 'a $join carries { channel, since?, sub? }')
    }
    if ([...refusals].some((refused) => refused(channel))) {
      return refuse(connection, id, 'JOIN_REFUSED', `not allowed to join "${channel}"`)
    }
    const channels = members.get(connection) ?? new Map<string, Set<string>>()
    members.set(connection, channels)
    const subs = channels.get(channel) ?? new Set()
    if (!subs.has(sub) && subs.size >= MAX_SUBS) {
      return refuse(connection, id, 'JOIN_REFUSED', `a connection has at most ${MAX_SUBS} subscribers in a channel`)
    }
    subs.add(sub)
    channels.set(channel, subs)

    const { epoch, offset, entries } = streamOf(channel)
    const oldest = entries[0]?.offset ?? offset + 1
    let gap: ChannelGap | undefined
    if (since && since.epoch !== epoch) gap = { reason: 'epoch', from: 1, to: offset }
    else if (since && (since.offset > offset || since.offset + 1 < oldest)) {
      gap = { reason: 'trimmed', from: Math.min(since.offset, offset) + 1, to: offset }
    }
    const joined: JoinReply = { epoch, offset, recovered: !!since && !gap, ...(gap && { gap }) }
    answer(connection, id, joined)
    if (since && !gap) for (const entry of entries) if (entry.offset > since.offset) connection.sendRaw(entry.frame)
  }

  function leave(connection: C, data: unknown) {
    const channel = isRecord(data) ? data.channel : undefined
    const sub = isRecord(data) ? readSub(data.sub) : null
    const channels = members.get(connection)
    if (typeof channel !== 'string' || sub === null || !channels) return
    const subs = channels.get(channel)
    subs?.delete(sub)
    if (subs?.size === 0) channels.delete(channel)
  }

  function publishFrom(connection: C, id: string, data: unknown) {
    const known = published.get(id)
    if (known) return answer(connection, id, known)
    const channel = isRecord(data) ? data.channel : undefined
    if (!isChannelName(channel))
      return refuse(connection, id, 'PUBLISH_REFUSED', 'a $publish carries { channel, data? }')
    let position: ChannelPosition
    try {
      position = publish(channel, (data as Record<string, unknown>).data)
    } catch (error) {
      return refuse(connection, id, 'PUBLISH_REFUSED', String((error as Error).message))
    }
    published.set(id, position)
    if (published.size > DEDUPE) published.delete(published.keys().next().value as string)
    answer(connection, id, position)
  }

  return {
    /** Handles a frame of the channels' types; `false` for any other frame. */
    receive(connection: C, type: string | undefined, id: string | undefined, data: unknown): boolean {
      if (type === JOIN && id !== undefined) join(connection, id, data)
      else if (type === PUBLISH && id !== undefined) publishFrom(connection, id, data)
      else if (type === LEAVE && id === undefined) leave(connection, data)
      else return false
      return true
    },
    publish,
    trimHistory(channel: string, keep = 0) {
      const stream = streams.get(channel)
      if (stream) stream.entries = keep > 0 ? stream.entries.slice(-keep) : []
    },
    resetChannel(channel: string): ChannelPosition {
      const stream: Stream = { epoch: `e${++epochs}`, offset: 0, entries: [] }
      streams.set(channel, stream)
      return { epoch: stream.epoch, offset: 0 }
    },
    position: (channel: string): ChannelPosition => {
      const { epoch, offset } = streamOf(channel)
      return { epoch, offset }
    },
    refuseJoins(match: string | ((channel: string) => boolean)): () => void {
      const refused = typeof match === 'string' ? (channel: string) => channel === match : match
      refusals.add(refused)
      return () => void refusals.delete(refused)
    },
    joined: (channel: string): C[] =>
      [...members].filter(([connection, channels]) => connection.open && channels.has(channel)).map(([c]) => c),
    /** A connection ended: it is in no channel any more. */
    closed(connection: C) {
      members.delete(connection)
    },
    clear() {
      members.clear()
      streams.clear()
      published.clear()
      refusals.clear()
    },
  }
}
