/** Where Lifeline writes its log lines: `console` or anything with the same methods. */
export interface Logger {
  /** Connection steps (connecting, open, reconnecting in n ms) and, with `logSensitive`, payloads. */
  debug(...args: unknown[]): void
  /** Not used by Lifeline today; part of the console shape. */
  info(...args: unknown[]): void
  /** Every error emitted, with its code. */
  warn(...args: unknown[]): void
  /** Part of the console shape; handler exceptions go to `reportError` instead. */
  error(...args: unknown[]): void
}

/** The logger from the `logger` option (`true` is `console`), or `null` for none. */
export function toLogger(option: boolean | Partial<Logger> | undefined): Partial<Logger> | null {
  return option === true ? console : option || null
}

/** A URL fit for a log line: its origin and path, never credentials or a query that may hold a token. */
export function redactUrl(href: string): string {
  const { origin, pathname } = new URL(href)
  return origin + pathname
}
