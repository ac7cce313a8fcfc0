// The throughput chart, written by hand: one bar per library (median msgs/s) with a whisker
// from the slowest to the fastest run, and the client CPU per message beside it.
import { msgsRatio } from '../scenarios/throughput.mjs'
import { int } from './format.mjs'

const xml = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** 1, 2 or 5 times a power of ten, at least `rough`: axis ticks people can read. */
function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(rough))
  return [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough)
}

export function throughputSvg(throughput) {
  const rows = throughput.results
  const labelWidth = 190
  const barArea = 380
  const textWidth = 240
  const rowHeight = 30
  const top = 44
  const width = labelWidth + barArea + textWidth
  const height = top + rows.length * rowHeight + 28
  const step = niceStep(Math.max(...rows.map((r) => r.msgsPerSec.max)) / 4)
  const max = Math.ceil(Math.max(...rows.map((r) => r.msgsPerSec.max)) / step) * step
  const x = (value) => labelWidth + (value / max) * barArea

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">Echo throughput, ${int(throughput.messages)} × ${throughput.payloadBytes}-byte messages, ${throughput.window} in flight</text>`,
    `<text x="12" y="38" fill="#555">bar: median msgs/s of ${throughput.runs} runs, whisker: min–max; right: vs ws (median slice ratio), client CPU per message</text>`,
  ]
  rows.forEach((row, i) => {
    const y = top + i * rowHeight
    const lifeline = row.name.startsWith('lifeline')
    const { median, min, max: high } = row.msgsPerSec
    const mid = y + rowHeight / 2
    parts.push(
      `<text x="${labelWidth - 8}" y="${mid + 4}" text-anchor="end">${xml(row.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 6}" width="${(x(median) - labelWidth).toFixed(1)}" height="${rowHeight - 12}" fill="${lifeline ? '#2f7d5b' : '#8a94a6'}"/>`,
      `<line x1="${x(min).toFixed(1)}" x2="${x(high).toFixed(1)}" y1="${mid}" y2="${mid}" stroke="#222" stroke-width="1.5"/>`,
      `<line x1="${x(min).toFixed(1)}" x2="${x(min).toFixed(1)}" y1="${mid - 5}" y2="${mid + 5}" stroke="#222" stroke-width="1.5"/>`,
      `<line x1="${x(high).toFixed(1)}" x2="${x(high).toFixed(1)}" y1="${mid - 5}" y2="${mid + 5}" stroke="#222" stroke-width="1.5"/>`,
      `<text x="${labelWidth + barArea + 8}" y="${mid + 4}">${int(median)}/s · ${msgsRatio(throughput, row.name, 'ws').toFixed(2)}× · ${row.cpuUsPerMsg.median.toFixed(2)} µs CPU</text>`,
    )
  })
  const axisY = top + rows.length * rowHeight + 4
  parts.push(`<line x1="${labelWidth}" x2="${labelWidth + barArea}" y1="${axisY}" y2="${axisY}" stroke="#999"/>`)
  for (let value = 0; value <= max; value += step) {
    parts.push(
      `<text x="${x(value).toFixed(1)}" y="${axisY + 16}" text-anchor="middle" fill="#555" font-size="11">${int(value / 1000)}k</text>`,
    )
  }
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
