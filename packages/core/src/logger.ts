/** Where Lifeline writes its log lines: `console` or anything with the same methods. */
export interface Logger {
  debug(...args: unknown[]): void
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
}

const noop = () => {}

/** A complete logger from the `logger` option, or `null` for none. */
export function toLogger(option: boolean | Partial<Logger> | undefined): Logger | null {
  if (!option) return null
  const source: Partial<Logger> = option === true ? console : option
  const pick = (name: keyof Logger) => source[name]?.bind(source) ?? noop
  return { debug: pick('debug'), info: pick('info'), warn: pick('warn'), error: pick('error') }
}

/**
 * A URL fit for a log line: query values and any password replaced by `***`, so tokens
 * passed as `?token=` never reach the logs.
 */
export function redactUrl(href: string): string {
  let url: URL
  try {
    url = new URL(href)
  } catch {
    return '[unparsable URL]'
  }
  if (url.password) url.password = '***'
  const keys = [...url.searchParams.keys()]
  if (keys.length === 0) return url.href
  url.search = ''
  const query = keys.map((key) => `${encodeURIComponent(key)}=***`).join('&')
  return `${url.href}?${query}`
}
