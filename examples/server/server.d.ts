// Types for server.js, for the TypeScript that starts it (the browser tests).

/** A running demo server. */
export interface DemoServer {
  /** The page, e.g. `http://127.0.0.1:8080/`. */
  url: string
  /** The WebSocket endpoint, e.g. `ws://127.0.0.1:8080/live`. */
  wsUrl: string
  /** The port bound. */
  port: number
  /** Stops everything; afterwards no socket, timer or handle is left. */
  close(): Promise<void>
}

/** Starts the demo server; `port` 0 (the default) picks a free port, `host` defaults to 127.0.0.1. */
export function startDemoServer(options?: { port?: number; host?: string }): Promise<DemoServer>
