// What the cluster tests and their server instances say to each other over IPC, and the
// messages their clients and servers exchange.

export interface ClusterClientSends {
  chat: { text: string }
  slow: undefined
  lossy: { n: number }
}
export interface ClusterServerSends {
  chat: { text: string }
}
export interface ClusterReplies {
  slow: string
  lossy: string
}

/** From the test to an instance. */
export type Command =
  | { cmd: 'release'; id: string; value: string }
  | { cmd: 'drop' }
  | { cmd: 'calls' }
  | { cmd: 'publish'; channel: string; data: unknown }
  | { cmd: 'stop' }

/** From an instance to the test. */
export type Report =
  | { event: 'ready'; port: number }
  | { event: 'handling'; id: string }
  | { event: 'request'; id: string; type: string }
  | { event: 'calls'; calls: { slow: number; lossy: number } }
  | { event: 'published'; epoch: string; offset: number }
