import { LifelineServerError } from './errors.js'
import type { Settings } from './options.js'
import type { UpgradeRequest, WebSocketServerLike } from './types.js'

/** What `ws` hands `verifyClient`. */
interface VerifyInfo {
  origin: string
  secure: boolean
  req: UpgradeRequest
}

type VerifyCallback = (verified: boolean, code?: number, message?: string, headers?: Record<string, string>) => void
type VerifyClient = ((info: VerifyInfo) => boolean) | ((info: VerifyInfo, callback: VerifyCallback) => void)

/** The options of a `ws` WebSocketServer the hub reads and sets: read by `ws` at every upgrade. */
interface ServerOptions {
  maxPayload?: number
  verifyClient?: VerifyClient | null
}

/** What the upgrade guard tells its hub. */
export interface UpgradeHost {
  /** An upgrade was refused for its origin. */
  refused(): void
  report(error: LifelineServerError): void
}

/** The `Origin` of an upgrade request (`Sec-WebSocket-Origin` for the old version 8 handshake). */
export function originOf(request: UpgradeRequest): string | undefined {
  const header = request.headers?.origin ?? request.headers?.['sec-websocket-origin']
  return typeof header === 'string' && header !== '' ? header : undefined
}

/**
 * Guards a `ws` server's upgrades, through the options `ws` reads at each one: its `maxPayload`
 * is lowered to `maxMessageBytes` (so `ws` refuses a larger frame from its header, before
 * buffering it), and its `verifyClient` checks the `Origin` first, then runs the one the server
 * was made with, if any. `checked: false` means the server has no such options (not `ws`): the
 * hub then checks the origin on connection and closes oversize peers itself. `restore()` puts
 * back the server's own `verifyClient`.
 */
export function guardUpgrades(wss: WebSocketServerLike, settings: Settings, host: UpgradeHost) {
  const options = (wss as { options?: ServerOptions }).options
  if (typeof options !== 'object' || options === null) {
    host.report(
      new LifelineServerError(
        'INVALID_OPTIONS',
        'the server has no ws options: origins are checked after the upgrade and frames over maxMessageBytes are read before they are refused',
      ),
    )
    return { checked: false, restore() {} }
  }
  const { maxMessageBytes, originAllowed } = settings
  if (!(typeof options.maxPayload === 'number' && options.maxPayload <= maxMessageBytes)) {
    options.maxPayload = maxMessageBytes
  }
  const own = options.verifyClient ?? null
  const verifyClient = (info: VerifyInfo, callback: VerifyCallback) => {
    const request = info.req
    let allowed = false
    try {
      allowed = originAllowed(originOf(request), request)
    } catch (cause) {
      host.report(new LifelineServerError('HANDLER_FAILED', 'origins threw', { cause }))
    }
    if (!allowed) {
      host.refused()
      return callback(false, 403, 'Origin not allowed')
    }
    if (!own) return callback(true)
    if (own.length >= 2) return (own as (info: VerifyInfo, callback: VerifyCallback) => void)(info, callback)
    return callback((own as (info: VerifyInfo) => boolean)(info))
  }
  options.verifyClient = verifyClient
  return {
    checked: true,
    restore() {
      if (options.verifyClient === verifyClient) options.verifyClient = own
    },
  }
}
