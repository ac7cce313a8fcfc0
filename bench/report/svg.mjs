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

const LIFELINE = '#2f7d5b'
const OTHER = '#8a94a6'
const width = (text, size = 13) => Math.ceil(String(text).length * size * 0.56)

/** The SVG prologue: a white page with a title and a subtitle line. */
function page(w, h, title, subtitle) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600">${xml(title)}</text>`,
    ...(subtitle ? [`<text x="12" y="38" fill="#555">${xml(subtitle)}</text>`] : []),
  ]
}

/**
 * Small multiples: one row per item, one column ("panel") per metric, each with its own scale.
 * `rows`: [{ label, highlight }]; `metrics`: [{ title, values: number[] (NaN: none),
 * format(n) -> text, marker?: { value, label } }] — a marker is a dashed line (a budget, say).
 */
export function panelsSvg({ title, subtitle, rows, metrics, panelWidth = 230 }) {
  const labelWidth = Math.max(120, ...rows.map((r) => width(r.label) + 20))
  const rowHeight = 26
  const top = subtitle ? 70 : 54
  const gap = 24
  const w = labelWidth + metrics.length * (panelWidth + gap)
  const h = top + rows.length * rowHeight + 16
  const parts = page(w, h, title, subtitle)
  rows.forEach((row, i) => {
    const mid = top + i * rowHeight + rowHeight / 2
    parts.push(`<text x="${labelWidth - 8}" y="${mid + 4}" text-anchor="end">${xml(row.label)}</text>`)
  })
  metrics.forEach((metric, m) => {
    const left = labelWidth + m * (panelWidth + gap)
    const textRoom = Math.max(...metric.values.map((v) => (Number.isFinite(v) ? width(metric.format(v), 12) : 0))) + 8
    const barArea = panelWidth - textRoom
    const finite = metric.values.filter(Number.isFinite)
    const max = Math.max(...finite, metric.marker?.value ?? 0) || 1
    const x = (value) => left + (value / max) * barArea
    parts.push(`<text x="${left}" y="${top - 8}" font-weight="600">${xml(metric.title)}</text>`)
    metric.values.forEach((value, i) => {
      const y = top + i * rowHeight
      const mid = y + rowHeight / 2
      if (!Number.isFinite(value)) {
        parts.push(`<text x="${left}" y="${mid + 4}" fill="#555" font-size="12">–</text>`)
        return
      }
      parts.push(
        `<rect x="${left}" y="${y + 5}" width="${Math.max(1, x(value) - left).toFixed(1)}" height="${rowHeight - 10}" fill="${rows[i].highlight ? LIFELINE : OTHER}"/>`,
        `<text x="${(x(value) + 4).toFixed(1)}" y="${mid + 4}" font-size="12">${xml(metric.format(value))}</text>`,
      )
    })
    parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + rows.length * rowHeight}" stroke="#999"/>`)
    if (metric.marker) {
      const mx = x(metric.marker.value).toFixed(1)
      parts.push(
        `<line x1="${mx}" x2="${mx}" y1="${top - 4}" y2="${top + rows.length * rowHeight}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
        `<text x="${mx}" y="${top + rows.length * rowHeight + 13}" text-anchor="middle" fill="#c0392b" font-size="11">${xml(metric.marker.label)}</text>`,
      )
    }
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

/**
 * One stacked bar per row: `rows`: [{ label, highlight, parts: number[], note? }] in the order of
 * `legend`: [{ label, color }]. Each part is labelled with its count when there is room; `note`
 * is written after the bar.
 */
export function stackedSvg({ title, subtitle, rows, legend, barArea = 520 }) {
  const labelWidth = Math.max(120, ...rows.map((r) => width(r.label) + 20))
  const rowHeight = 28
  const top = subtitle ? 70 : 54
  const w = labelWidth + barArea + 150
  const h = top + rows.length * rowHeight + 16
  const max = Math.max(...rows.map((r) => r.parts.reduce((a, b) => a + b, 0))) || 1
  const parts = page(w, h, title, subtitle)
  let lx = labelWidth
  for (const { label, color } of legend) {
    parts.push(
      `<rect x="${lx}" y="${top - 20}" width="12" height="12" fill="${color}"/>`,
      `<text x="${lx + 16}" y="${top - 10}" font-size="12">${xml(label)}</text>`,
    )
    lx += 16 + width(label, 12) + 18
  }
  rows.forEach((row, i) => {
    const y = top + i * rowHeight
    const mid = y + rowHeight / 2
    parts.push(
      `<text x="${labelWidth - 8}" y="${mid + 4}" text-anchor="end"${row.highlight ? ' font-weight="600"' : ''}>${xml(row.label)}</text>`,
    )
    let x = labelWidth
    row.parts.forEach((value, k) => {
      const span = (value / max) * barArea
      if (value > 0) {
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y + 5}" width="${span.toFixed(1)}" height="${rowHeight - 10}" fill="${legend[k].color}"/>`,
        )
        if (span >= width(value, 11) + 4) {
          parts.push(
            `<text x="${(x + span / 2).toFixed(1)}" y="${mid + 4}" text-anchor="middle" font-size="11" fill="#fff">${value}</text>`,
          )
        }
      }
      x += span
    })
    if (row.note)
      parts.push(`<text x="${(x + 6).toFixed(1)}" y="${mid + 4}" font-size="12" fill="#333">${xml(row.note)}</text>`)
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}

/**
 * A step chart of counts per time bucket: `series`: [{ label, color, highlight, buckets:
 * { [startMs]: count } }], `bucketMs` wide, drawn from `fromMs` to `toMs`. `marker`: a dashed
 * horizontal line ({ value, label }).
 */
export function timelineSvg({ title, subtitle, series, bucketMs, fromMs, toMs, marker, yLabel, xLabel }) {
  const left = 56
  const plotWidth = 620
  const plotHeight = 220
  const top = subtitle ? 86 : 70
  const w = left + plotWidth + 24
  const h = top + plotHeight + 48
  const maxCount = Math.max(marker?.value ?? 0, ...series.flatMap((s) => Object.values(s.buckets)))
  const yStep = niceStep(maxCount / 4 || 1)
  const yMax = Math.ceil(maxCount / yStep) * yStep || 1
  const x = (ms) => left + ((ms - fromMs) / (toMs - fromMs)) * plotWidth
  const y = (count) => top + plotHeight - (count / yMax) * plotHeight
  const parts = page(w, h, title, subtitle)
  let lx = left
  for (const s of series) {
    parts.push(
      `<rect x="${lx}" y="${top - 26}" width="14" height="4" fill="${s.color}"/>`,
      `<text x="${lx + 18}" y="${top - 20}" font-size="12"${s.highlight ? ' font-weight="600"' : ''}>${xml(s.label)}</text>`,
    )
    lx += 18 + width(s.label, 12) + 18
  }
  for (let value = 0; value <= yMax; value += yStep) {
    parts.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" fill="#555" font-size="11">${value}</text>`,
    )
  }
  const xStep = niceStep((toMs - fromMs) / 8)
  for (let ms = Math.ceil(fromMs / xStep) * xStep; ms <= toMs; ms += xStep) {
    parts.push(
      `<line x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="${top + plotHeight}" y2="${top + plotHeight + 4}" stroke="#999"/>`,
      `<text x="${x(ms).toFixed(1)}" y="${top + plotHeight + 17}" text-anchor="middle" fill="#555" font-size="11">${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s</text>`,
    )
  }
  parts.push(
    `<line x1="${left}" x2="${left + plotWidth}" y1="${top + plotHeight}" y2="${top + plotHeight}" stroke="#999"/>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotHeight}" stroke="#999"/>`,
    `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 36}" text-anchor="middle" fill="#555" font-size="12">${xml(xLabel)}</text>`,
    `<text x="14" y="${top + plotHeight / 2}" text-anchor="middle" fill="#555" font-size="12" transform="rotate(-90 14 ${top + plotHeight / 2})">${xml(yLabel)}</text>`,
  )
  if (marker) {
    parts.push(
      `<line x1="${left}" x2="${left + plotWidth}" y1="${y(marker.value).toFixed(1)}" y2="${y(marker.value).toFixed(1)}" stroke="#c0392b" stroke-dasharray="4 3"/>`,
      `<text x="${left + plotWidth - 4}" y="${(y(marker.value) - 4).toFixed(1)}" text-anchor="end" fill="#c0392b" font-size="11">${xml(marker.label)}</text>`,
    )
  }
  for (const s of series) {
    const points = []
    for (let start = Math.floor(fromMs / bucketMs) * bucketMs; start < toMs; start += bucketMs) {
      const count = s.buckets[start] ?? 0
      const x0 = Math.max(x(start), left)
      const x1 = Math.min(x(start + bucketMs), left + plotWidth)
      points.push(`${x0.toFixed(1)},${y(count).toFixed(1)}`, `${x1.toFixed(1)},${y(count).toFixed(1)}`)
    }
    parts.push(
      `<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.highlight ? 2.2 : 1.6}" stroke-linejoin="round"/>`,
    )
  }
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
