// The close codes the hub sends come from the protocol module (`@lifeline/core/protocol`). A
// Lifeline client reconnects after 1012, 4001 and 4008, and stops after 1009 and 4400–4499.
export {
  FORBIDDEN,
  MESSAGE_TOO_BIG,
  RATE_LIMITED,
  SERVICE_RESTART,
  SLOW_CONSUMER,
  TOKEN_EXPIRED,
  UNAUTHORIZED,
} from '@lifeline/core/protocol'
