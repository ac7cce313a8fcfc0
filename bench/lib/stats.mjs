// Small, dependency-free statistics over arrays of numbers.

const sorted = (values) => [...values].sort((a, b) => a - b)

/** The p-th percentile (0–100), nearest-rank; NaN for an empty list. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN
  const list = sorted(values)
  const rank = Math.ceil((p / 100) * list.length)
  return list[Math.min(list.length - 1, Math.max(0, rank - 1))]
}

/** Median (the mean of the two middle values for an even count). */
export function median(values) {
  if (values.length === 0) return Number.NaN
  const list = sorted(values)
  const mid = list.length >> 1
  return list.length % 2 ? list[mid] : (list[mid - 1] + list[mid]) / 2
}

/** `{ median, min, max }` of a list. */
export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) }
}

/** The largest number of timestamps (ms) that fall in any window `[t, t + width)`. */
export function peakInWindow(timestamps, width) {
  const list = sorted(timestamps)
  let peak = 0
  let start = 0
  for (let end = 0; end < list.length; end++) {
    while (list[end] - list[start] >= width) start++
    peak = Math.max(peak, end - start + 1)
  }
  return peak
}
