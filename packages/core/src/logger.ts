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

/**
 * A URL fit for a log line: query values and any password replaced by `***`, so tokens
 * passed as `?token=` never reach the logs.
 */
export function redactUrl(href: string): string {
  const url = new URL(href)
  if (url.password) url.password = '***'
  const query = [...url.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=***`).join('&')
  url.search = ''
  return query ? `${url.href}?${query}` : url.href
}
