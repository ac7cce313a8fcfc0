// A sample of docs/testing.md: the message maps both chat components use.
// #region chat-types
// chat.ts
export interface Incoming {
  chat: { from: string; text: string }
}
export interface Outgoing {
  chat: { text: string }
}
// #endregion
