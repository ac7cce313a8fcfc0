import { ACCEPT, type AcceptData, FORBIDDEN, TOKEN_EXPIRED, UNAUTHORIZED } from '@lifeline/core/protocol'
import { encode, type Incoming } from './frames.js'
import type { Peer, PeerConnection } from './peer.js'
import type { UpgradeRequest } from './types.js'

/** What `authenticate` is given. */
export interface AuthenticateInfo {
  /** The token the client's `auth` returned, as it sent it (any JSON value). */
  token: unknown
  /** The HTTP upgrade request of the connection (headers, URL, socket). */
  request: UpgradeRequest
  /** The connection: its `id`, and its `data` so far (on a refresh, what the last token gave). */
  // biome-ignore lint/suspicious/noExplicitAny: a peer of any message maps
  peer: Peer<any, any, any, any, any>
}

/**
 * What `authenticate` returns: the user's data (it becomes `peer.data`), or `{ data, expiresAt }`
 * when the token expires (`expiresAt` in epoch ms).
 */
export type AuthResult<Data> = Data | ExpiringAuth<Data>

/** What `authenticate` returns for a token that expires. */
export interface ExpiringAuth<Data> {
  /** What the server should know of the user: it becomes `peer.data`. */
  data: Data
  /** When the token expires, in epoch ms; the client refreshes it before then. */
  expiresAt: number
}

/**
 * Checks a client's token: returns what the server should know of the user (it becomes
 * `peer.data`), optionally with when the token expires, or a promise of it. A throw or a
 * rejection refuses it: the client is closed with 4401 (bad credentials), or with 4403 when what
 * was thrown has `code: 'FORBIDDEN'` (valid credentials, but this user may not connect). Both
 * stop the client for good.
 */
export type Authenticate<Data> = (info: AuthenticateInfo) => AuthResult<Data> | PromiseLike<AuthResult<Data>>

/** How long a new connection may take to send its token, in ms; then it is closed with 4401. */
export const AUTH_TIMEOUT = 10_000

/** The heartbeat a Lifeline server advises its clients: the client's own defaults. */
const ADVISED_HEARTBEAT = { interval: 25_000, timeout: 10_000 }

/** What the auth step asks of its hub. */
export interface AuthHost {
  // biome-ignore lint/suspicious/noExplicitAny: the hub's data type is the user's
  readonly authenticate: Authenticate<any> | null
  /** Whether the hub runs a heartbeat (then its accept advises the client to run one too). */
  readonly heartbeat: boolean
  count(counter: 'authRefused' | 'authExpired'): void
}

/** The auth step of every connection; see {@link createAuth}. */
export interface Auth {
  /** The `$accept` frame for a token that expires in `expiresIn` ms (or never). */
  acceptFrame(expiresIn?: number): string
  /**
   * Authenticates a new peer from its first frame, which must be `$auth`: sets `peer.data` and
   * resolves the ms until the token expires (`undefined`: never). Resolves `null` when the peer
   * was refused and closed.
   */
  admit(peer: PeerConnection, frame: Incoming | null, request: UpgradeRequest): Promise<number | undefined | null>
  /** A `$auth` on an open peer: a refresh. Accepted: new `peer.data` and expiry, and a `$accept`. */
  refresh(peer: PeerConnection, frame: { data: unknown }, request: UpgradeRequest): void
}

const isResult = (value: unknown): value is { data: unknown; expiresAt: number } =>
  typeof value === 'object' &&
  value !== null &&
  'data' in value &&
  typeof (value as { expiresAt?: unknown }).expiresAt === 'number'

/**
 * Authentication in band: the token comes in the first frame (never in the URL), `authenticate`
 * decides, the accept carries the expiry, a token that expires unrefreshed closes the peer with
 * 4001 (the client comes back with a fresh one), and a refresh on the open link replaces it.
 */
export function createAuth(host: AuthHost): Auth {
  const expiries = new WeakMap<PeerConnection, ReturnType<typeof setTimeout>>()

  const acceptFrame = (expiresIn?: number) => {
    const data: AcceptData = {}
    if (host.heartbeat) data.heartbeat = ADVISED_HEARTBEAT
    if (expiresIn !== undefined) data.expiresIn = expiresIn
    return encode({ type: ACCEPT, data })
  }

  const refuse = (peer: PeerConnection, cause: unknown) => {
    host.count('authRefused')
    const forbidden = (cause as { code?: unknown } | null)?.code === 'FORBIDDEN'
    if (peer.isOpen) peer.close(forbidden ? FORBIDDEN : UNAUTHORIZED, forbidden ? 'forbidden' : 'unauthorized')
  }

  /** Runs `authenticate`; sets `peer.data` and the expiry timer; resolves the ms left, `null` if refused. */
  async function check(peer: PeerConnection, token: unknown, request: UpgradeRequest) {
    const authenticate = host.authenticate as Authenticate<unknown>
    let result: unknown
    try {
      result = await authenticate({ token, request, peer: peer as never })
    } catch (cause) {
      refuse(peer, cause)
      return null
    }
    if (!peer.isOpen) return null
    clearTimeout(expiries.get(peer))
    if (!isResult(result)) {
      peer.data = result as Record<string, unknown>
      return undefined
    }
    peer.data = result.data as Record<string, unknown>
    const expiresIn = Math.max(0, Math.floor(result.expiresAt - Date.now()))
    const timer = setTimeout(
      () => {
        host.count('authExpired')
        if (peer.isOpen) peer.close(TOKEN_EXPIRED, 'token expired')
      },
      Math.min(expiresIn, 2 ** 31 - 1),
    )
    timer.unref?.()
    expiries.set(peer, timer)
    return expiresIn
  }

  return {
    acceptFrame,
    admit(peer, frame, request) {
      peer.signal.addEventListener('abort', () => clearTimeout(expiries.get(peer)), { once: true })
      if (frame?.kind !== 'message' || frame.type !== '$auth') {
        refuse(peer, null)
        return Promise.resolve(null)
      }
      return check(peer, (frame.data as { token?: unknown } | undefined)?.token, request)
    },
    refresh(peer, frame, request) {
      if (!host.authenticate) return
      check(peer, (frame.data as { token?: unknown } | undefined)?.token, request).then((expiresIn) => {
        if (expiresIn !== null) peer.write(acceptFrame(expiresIn))
      })
    },
  }
}
