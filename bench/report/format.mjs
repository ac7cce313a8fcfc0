// Number formatting shared by the Markdown and SVG reports.

export const int = (n) => Math.round(n).toLocaleString('en-US')
export const fixed = (n, digits = 2) => n.toFixed(digits)
export const ratio = (n) => `${n.toFixed(2)}×`
export const ms = (n) => (Number.isFinite(n) ? `${int(n)} ms` : '–')
export const bytes = (n) => `${int(n)} B`
export const range = (s, format) => `${format(s.min)}–${format(s.max)}`

/** A Markdown table from a header row and data rows. */
export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
