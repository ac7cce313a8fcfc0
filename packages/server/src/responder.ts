import { type Envelope, errorReply, reply as success } from '@lifeline/core/protocol'
import { isLifelineServerError, LifelineServerError } from './errors.js'
import { encode } from './frames.js'
import type { AnyHandler, PeerConnection } from './peer.js'
import type { ReplyStore } from './replyStore.js'
import type { ErrorReply, RequestInfo } from './types.js'

/** What the responder needs from its hub. */
export interface ResponderHost {
  /** The dedupe window. */
  readonly replies: ReplyStore
  /** The dedupe key of a request, or `false` when dedupe is off. */
  readonly key: ((request: RequestInfo, peer: PeerConnection) => string) | false
  readonly formatError: (error: unknown, request: RequestInfo) => ErrorReply
  count(what: 'requests' | 'duplicates'): void
  report(error: LifelineServerError): void
}

/** A request with a handler, as the peer read it. */
type Request = RequestInfo & { data: unknown }

/**
 * What the hub's own handlers (`$publish`) throw to refuse a request: its error reply is sent as
 * it is, never through the user's `formatError`, so the client always sees the protocol's code.
 */
export class Refusal {
  constructor(readonly reply: ErrorReply) {}
}

/** The default `formatError`: the thrown error's `message`, and its `code` when that is a string. */
export function defaultFormatError(error: unknown): ErrorReply {
  const code = (error as { code?: unknown } | null)?.code
  const message = error instanceof Error ? error.message : String(error)
  return typeof code === 'string' ? { code, message } : { message }
}

/**
 * Answers requests: claims each id in the dedupe window, runs the handler of the first claim
 * only, sends its reply and stores it for duplicates. The handler's synchronous part runs at
 * once when the adapter answers the claim at once (the in-memory one does), so requests start
 * in the order they arrived.
 */
export function createResponder(host: ResponderHost) {
  /** A reply frame; an `ENCODE_FAILED` error reply (and an `error` event) for what JSON cannot carry. */
  function encodeReply(reply: Envelope & { re: string }): string {
    try {
      return encode(reply)
    } catch (error) {
      host.report(error as LifelineServerError)
      return encode(errorReply(reply.re, { code: 'ENCODE_FAILED', message: 'the reply could not be encoded' }))
    }
  }

  /** The error reply frame for what a handler threw or rejected with. */
  function failure(thrown: unknown, info: RequestInfo): string {
    if (thrown instanceof Refusal) return encodeReply(errorReply(info.id, thrown.reply))
    let reply: ErrorReply
    try {
      reply = host.formatError(thrown, info)
    } catch (cause) {
      host.report(new LifelineServerError('HANDLER_FAILED', 'formatError threw', { cause }))
      reply = { message: 'request failed' }
    }
    return encodeReply(errorReply(info.id, reply))
  }

  /** Sends a first attempt's reply, then stores it for duplicates (the asker has it either way). */
  function deliver(peer: PeerConnection, key: string | null, reply: string) {
    peer.write(reply)
    if (key !== null) settle(key, reply)
  }

  /**
   * Runs the handler of a first attempt and delivers the reply frame of its outcome: at once for
   * a value returned synchronously (no promise is made), once settled for a promise; never throws.
   */
  function run(peer: PeerConnection, handler: AnyHandler, { type, id, data }: Request, key: string | null) {
    const info = { type, id }
    let value: unknown
    try {
      value = handler(data, info)
    } catch (thrown) {
      return deliver(peer, key, failure(thrown, info))
    }
    if (typeof (value as PromiseLike<unknown> | null)?.then !== 'function') {
      return deliver(peer, key, encodeReply(success(id, value)))
    }
    Promise.resolve(value).then(
      (resolved) => deliver(peer, key, encodeReply(success(id, resolved))),
      (thrown) => deliver(peer, key, failure(thrown, info)),
    )
  }

  /** The error reply for a request the adapter could not dedupe; reported unless the first attempt merely lapsed. */
  function unavailable(peer: PeerConnection, id: string, error: unknown) {
    if (peer.signal.aborted) return // the peer left: nobody to answer
    if (isLifelineServerError(error) && error.code === 'REQUEST_LOST') {
      return peer.write(encode(errorReply(id, { code: 'REQUEST_LOST', message: error.message })))
    }
    host.report(new LifelineServerError('ADAPTER_FAILED', 'the adapter could not dedupe a request', { cause: error }))
    peer.write(encode(errorReply(id, { code: 'UNAVAILABLE', message: 'the request could not be processed now' })))
  }

  const storeFailed = (cause: unknown) =>
    host.report(new LifelineServerError('ADAPTER_FAILED', 'the adapter could not store a reply', { cause }))

  /** Stores a reply without a promise of its own where the adapter answers at once (the in-memory one). */
  function settle(key: string, reply: string) {
    try {
      host.replies.settle(key, reply)?.catch(storeFailed)
    } catch (cause) {
      storeFailed(cause)
    }
  }

  function first(peer: PeerConnection, handler: AnyHandler, request: Request, key: string | null) {
    host.count('requests')
    run(peer, handler, request, key)
  }

  function duplicate(peer: PeerConnection, reply: string) {
    host.count('duplicates')
    peer.write(reply)
  }

  return {
    answer(peer: PeerConnection, request: Request, handler: AnyHandler) {
      if (!host.key) return first(peer, handler, request, null)
      let key: string
      let claim: string | null | Promise<string | null>
      try {
        key = host.key(request, peer)
        claim = host.replies.claim(key, peer.signal)
      } catch (error) {
        return unavailable(peer, request.id, error)
      }
      if (claim === null) return first(peer, handler, request, key)
      if (typeof claim === 'string') return duplicate(peer, claim)
      claim.then(
        (reply) => (reply === null ? first(peer, handler, request, key) : duplicate(peer, reply)),
        (error) => unavailable(peer, request.id, error),
      )
    },
  }
}
