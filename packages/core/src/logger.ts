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
 * A URL fit for a log line: the password and every query value replaced by `***`
 * (`wss://example.com/live?token=***`), so a token in the query never reaches a log.
 */
export function redactUrl(href: string): string {
  const url = new URL(href)
  if (url.password) url.password = '***'
  const names = [...url.searchParams.keys()]
  if (!names.length) return url.href
  // Written by hand: URLSearchParams would percent-encode the asterisks.
  url.search = ''
  url.hash = ''
  return `${url.href}?${names.map((name) => `${encodeURIComponent(name)}=***`).join('&')}`
}
