// The close codes the hub sends, beside the protocol's own (`@lifeline/core/protocol`). A Lifeline
// client reconnects after 1012 and 4008, and stops after 1009 and 4400–4499.

/** A frame over `maxMessageBytes` (RFC 6455 "message too big"): the client stops, since a retry would send it again. */
export const MESSAGE_TOO_BIG = 1009
/** The server is restarting (`hub.close()`): the client comes back, to this server or another. */
export const SERVICE_RESTART = 1012
/** The peer read too slowly: its unsent bytes passed `highWaterMark`. The client reconnects and recovers its channels. */
export const SLOW_CONSUMER = 4008
/** The peer kept sending over its rate limit: the client stops (a 44xx code). */
export const RATE_LIMITED = 4429
/** The peer's `Origin` is not allowed (where the check could only run after the upgrade). */
export const FORBIDDEN = 4403
