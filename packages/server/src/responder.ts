import { type Envelope, errorReply, reply as success } from '@lifeline/core/protocol'
import { isLifelineServerError, LifelineServerError } from './errors.js'
import { encode } from './frames.js'
import type { AnyHandler, InFlight, PeerConnection } from './peer.js'
import type { ReplyStore } from './replyStore.js'
import type { ErrorReply, HandlerInfo, RequestInfo } from './types.js'
import { userOf } from './userLimits.js'

/** A request as a peer read it, before it runs: its type, id and data. */
export type IncomingRequest = RequestInfo & { data: unknown }

/** What a request is known by in the dedupe window: who asked (`scope`) and which request (`key`). */
export type DedupeKey = (request: RequestInfo, peer: PeerConnection) => string

/** What the responder counts in its hub's stats. */
export type ResponderCount = 'requests' | 'duplicates' | 'busy' | 'handlerTimeouts' | 'unavailable'

/** What the responder needs from its hub. */
export interface ResponderHost {
  /** The dedupe window. */
  readonly replies: ReplyStore
  /** The dedupe key and scope of a request, or `false` when dedupe is off. */
  readonly dedupe: { key: DedupeKey; scope: DedupeKey } | false
  readonly formatError: (error: unknown, request: RequestInfo) => ErrorReply
  /** The most requests one peer may have answered at once; more get `BUSY`. */
  readonly maxInFlight: number
  /** A handler still running after this many ms is answered with `HANDLER_TIMEOUT` and its signal aborts. */
  readonly handlerTimeout: number
  count(what: ResponderCount): void
  report(error: LifelineServerError): void
  /** The adapter failed (reported once per outage by the hub). */
  adapterFailed(cause: unknown, what: string): void
  /** The adapter answered: an outage, if there was one, is over. */
  adapterAnswered(): void
}

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
 * The default dedupe scope, who a request is deduped for: the user the app named in
 * `peer.data.userId` or `peer.data.id` (a string or a number), else the client itself, by the
 * random prefix of its request ids (`<prefix>.<counter>`, the same on every connection of one
 * page or process), else the id alone. A resend after a reconnect (a new peer) has the same scope.
 */
export function defaultScope(request: RequestInfo, peer: { data: unknown }): string {
  const user = userOf(peer.data)
  if (user !== null) return `user:${user}`
  const dot = request.id.lastIndexOf('.')
  return dot > 0 ? `client:${request.id.slice(0, dot)}` : `id:${request.id}`
}

/** A request of a peer being answered, with what ends it. */
interface Running extends InFlight {
  controller: AbortController | null
  timer: ReturnType<typeof setTimeout> | undefined
  /** Answered (or given up on): later outcomes are dropped. */
  done: boolean
}

/** Whether `value` is a thenable, read with care: a `then` getter may throw (a revoked Proxy's does). */
function isThenable(value: unknown): { thenable: boolean } | { thrown: unknown } {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return { thenable: false }
  try {
    return { thenable: typeof (value as PromiseLike<unknown>).then === 'function' }
  } catch (thrown) {
    return { thrown }
  }
}

/**
 * Answers requests: claims each id in the dedupe window, runs the handler of the first claim
 * only, sends its reply and stores it for duplicates. The handler's synchronous part runs at
 * once when the adapter answers the claim at once (the in-memory one does), so requests start
 * in the order they arrived. Each peer has at most `maxInFlight` requests being answered;
 * each handler gets a signal, and an answer within `handlerTimeout`.
 */
export function createResponder(host: ResponderHost) {
  /** Requests being answered, across every peer (those of peers that left included). */
  const everyRunning = new Set<Running>()
  /** Replies being stored. */
  const storing = new Set<Promise<unknown>>()
  /** Resolved whenever a request ends or a reply is stored: `close` waits on them. */
  const idleWaiters = new Set<() => void>()
  /** Whether new requests are taken: `false` once the hub closes (clients resend them elsewhere). */
  let taking = true

  const changed = () => {
    for (const wake of [...idleWaiters]) wake()
  }

  /** A reply frame; an `ENCODE_FAILED` error reply (and an `error` event) for what JSON cannot carry. */
  function encodeReply(reply: Envelope & { re: string }): string {
    try {
      return encode(reply)
    } catch (error) {
      host.report(error as LifelineServerError)
      return encode(errorReply(reply.re, { code: 'ENCODE_FAILED', message: 'the reply could not be encoded' }))
    }
  }

  /** The success reply frame, unless the value is one JSON drops without a word (a symbol, a function). */
  function successFrame(id: string, value: unknown): string {
    if (typeof value === 'symbol' || typeof value === 'function') {
      host.report(
        new LifelineServerError('ENCODE_FAILED', `a handler returned a ${typeof value}, which JSON cannot carry`),
      )
      return encode(errorReply(id, { code: 'ENCODE_FAILED', message: 'the reply could not be encoded' }))
    }
    return encodeReply(success(id, value))
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

  /** Stores a reply without a promise of its own where the adapter answers at once (the in-memory one). */
  function settle(key: string, reply: string) {
    const stored = (cause: unknown) => host.adapterFailed(cause, 'store a reply')
    try {
      const pending = host.replies.settle(key, reply)
      if (!pending) return
      const tracked: Promise<unknown> = pending.then(host.adapterAnswered, stored).finally(() => {
        storing.delete(tracked)
        changed()
      })
      storing.add(tracked)
    } catch (cause) {
      stored(cause)
    }
  }

  function start(peer: PeerConnection): Running {
    const running: Running = {
      controller: null,
      timer: undefined,
      done: false,
      abort(reason) {
        running.controller?.abort(reason)
      },
    }
    peer.inFlight.add(running)
    everyRunning.add(running)
    return running
  }

  function finish(peer: PeerConnection, running: Running) {
    running.done = true
    clearTimeout(running.timer)
    peer.inFlight.delete(running)
    everyRunning.delete(running)
    changed()
  }

  /** Ends a request with `frame`: written to the peer, stored for duplicates. */
  function answer(peer: PeerConnection, running: Running, key: string | null, frame: string) {
    if (running.done) return
    finish(peer, running)
    peer.write(frame)
    if (key !== null) settle(key, frame)
  }

  /** The handler's signal, made when first read: aborted already when the peer left or the handler timed out. */
  function signalOf(peer: PeerConnection, running: Running): AbortSignal {
    if (!running.controller) {
      running.controller = new AbortController()
      if (peer.signal.aborted) running.controller.abort(peer.signal.reason)
    }
    return running.controller.signal
  }

  /**
   * Runs the handler of a first attempt and answers with its outcome: at once for a value
   * returned synchronously (no promise is made), once settled for a thenable, or
   * `HANDLER_TIMEOUT` after `handlerTimeout`; never throws.
   */
  function run(
    peer: PeerConnection,
    running: Running,
    handler: AnyHandler,
    request: IncomingRequest,
    key: string | null,
  ) {
    host.count('requests')
    const { type, id, data } = request
    const info: HandlerInfo = {
      type,
      id,
      get signal() {
        return signalOf(peer, running)
      },
    }
    let value: unknown
    try {
      value = handler(data, info)
    } catch (thrown) {
      return answer(peer, running, key, failure(thrown, info))
    }
    const read = isThenable(value)
    if ('thrown' in read) return answer(peer, running, key, failure(read.thrown, info))
    if (!read.thenable) return answer(peer, running, key, successFrame(id, value))
    running.timer = setTimeout(() => {
      host.count('handlerTimeouts')
      const reason = new LifelineServerError('HANDLER_TIMEOUT', `the handler ran past ${host.handlerTimeout} ms`)
      running.controller?.abort(reason)
      const message = `the handler did not answer within ${host.handlerTimeout} ms`
      answer(peer, running, key, encode(errorReply(id, { code: 'HANDLER_TIMEOUT', message })))
    }, host.handlerTimeout)
    // `then` is called once, by the promise machinery: a second read of a getter may throw, which rejects.
    Promise.resolve(value).then(
      (resolved) => answer(peer, running, key, successFrame(id, resolved)),
      (thrown) => answer(peer, running, key, failure(thrown, info)),
    )
  }

  /** The error reply for a request the adapter could not dedupe. */
  function unavailable(peer: PeerConnection, running: Running, id: string, error: unknown) {
    if (running.done) return
    finish(peer, running)
    if (peer.signal.aborted) return // the peer left: nobody to answer
    if (isLifelineServerError(error) && error.code === 'REQUEST_LOST') {
      peer.write(encode(errorReply(id, { code: 'REQUEST_LOST', message: error.message })))
      return
    }
    host.count('unavailable')
    host.adapterFailed(error, 'dedupe a request')
    peer.write(encode(errorReply(id, { code: 'UNAVAILABLE', message: 'the request could not be processed now' })))
  }

  function duplicate(peer: PeerConnection, running: Running, reply: string) {
    if (running.done) return
    finish(peer, running)
    host.count('duplicates')
    peer.write(reply)
  }

  /** Resolves once `done()` holds, checked whenever a request ends or a reply is stored. */
  function until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve()
    return new Promise((resolve) => {
      const check = () => {
        if (!done()) return
        idleWaiters.delete(check)
        resolve()
      }
      idleWaiters.add(check)
    })
  }

  return {
    answer(peer: PeerConnection, request: IncomingRequest, handler: AnyHandler) {
      // Closing: not answered, not claimed. The client resends it on its next connection.
      if (!taking) return
      if (peer.inFlight.size >= host.maxInFlight) {
        host.count('busy')
        const message = `at most ${host.maxInFlight} requests at once`
        peer.write(encode(errorReply(request.id, { code: 'BUSY', message })))
        return
      }
      const running = start(peer)
      const { dedupe } = host
      if (!dedupe) return run(peer, running, handler, request, null)
      let key: string
      let claim: string | null | Promise<string | null>
      try {
        const scope = dedupe.scope(request, peer)
        key = `${scope.length}:${scope}:${dedupe.key(request, peer)}`
        claim = host.replies.claim(key, peer.signal, scope)
      } catch (error) {
        return unavailable(peer, running, request.id, error)
      }
      if (claim === null) return run(peer, running, handler, request, key)
      if (typeof claim === 'string') return duplicate(peer, running, claim)
      claim.then(
        (reply) => {
          host.adapterAnswered()
          if (reply === null) run(peer, running, handler, request, key)
          else duplicate(peer, running, reply)
        },
        (error) => unavailable(peer, running, request.id, error),
      )
    },

    /** Stops taking requests: those that come from now on are not answered (clients resend them elsewhere). */
    stop() {
      taking = false
    },

    /** Resolves once `peer` has no request being answered. */
    settled: (peer: PeerConnection) => until(() => peer.inFlight.size === 0),

    /** Resolves once no request of any peer is being answered and every reply is stored. */
    drained: () => until(() => everyRunning.size === 0 && storing.size === 0),

    /** Gives up on every request still being answered: their signals abort with `reason`, nothing more is answered. */
    abortAll(reason: unknown) {
      for (const running of [...everyRunning]) {
        running.done = true
        clearTimeout(running.timer)
        everyRunning.delete(running)
        running.abort(reason)
      }
      changed()
    },

    /** Requests being answered now, across every peer. */
    get active() {
      return everyRunning.size
    },
  }
}
