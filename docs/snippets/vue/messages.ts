// The message maps of docs/vue.md, as the file the guide's samples import ('./messages').
// #region messages
// messages.ts
export interface Incoming {
  chat: { from: string; text: string }
  presence: { online: string[] }
}
export interface Outgoing {
  chat: { text: string }
  typing: { active: boolean }
  getUser: { id: string }
}
// Reply types of requests, keyed by the outgoing type asked.
export interface Replies {
  getUser: { name: string }
}
// #endregion
