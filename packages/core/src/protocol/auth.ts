/**
 * The client's token: `{"type":"$auth","data":{"token":…}}`, the first frame of every link of a
 * client with the `auth` option, and again on the open link to refresh it.
 */
export const AUTH = '$auth'

/**
 * The server's accept: `{"type":"$accept","data":{…}}` ({@link AcceptData}), its first frame on
 * every connection (after the token, when it authenticates), and its answer to each refresh.
 */
export const ACCEPT = '$accept'

/** What a server's `$accept` tells its client. Every field is optional. */
export interface AcceptData {
  /**
   * The heartbeat the client should run: ping after `interval` ms of silence, and count the link
   * dead when nothing arrives within `timeout` ms of a ping. A client whose `heartbeat` option is
   * not set runs it as given.
   */
  heartbeat?: {
    /** Silence, in ms, after which the client pings. */
    interval: number
    /** How long, in ms, the client waits for any frame after a ping. */
    timeout: number
  }
  /**
   * In how many ms the token expires (relative, so that the two clocks need not agree): the
   * client sends a fresh token before then, on the open link. Absent when it never expires.
   */
  expiresIn?: number
}

/**
 * The `$auth` frame's envelope for `token`.
 *
 * @example
 * ```ts
 * JSON.stringify(authMessage('eyJhbGciOi…')) // '{"type":"$auth","data":{"token":"eyJhbGciOi…"}}'
 * ```
 */
export const authMessage = (token: unknown): AuthMessage => ({ type: AUTH, data: { token } })

/** The `$auth` frame's envelope. */
export interface AuthMessage {
  /** Always `$auth`. */
  type: typeof AUTH
  /** What the client's `auth` returned. */
  data: {
    /** The token, any JSON value. */
    token: unknown
  }
}
