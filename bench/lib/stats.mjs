// Latency samples: a bounded Float64Array of milliseconds, percentiles by sorting a copy.
export class Samples {
  constructor (max = 4_000_000) {
    this.values = new Float64Array(max)
    this.count = 0
    this.seen = 0
  }

  add (ms) {
    this.seen++
    if (this.count < this.values.length) this.values[this.count++] = ms
  }

  percentiles (...ps) {
    const sorted = this.values.slice(0, this.count).sort()
    return ps.map(p => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))])
  }
}

export function median (xs) {
  const s = xs.filter(x => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
}
