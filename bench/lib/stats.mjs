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

/**
 * A percentile bootstrap interval of `statistic` over `groups` (an array per independent unit, e.g.
 * the per-round ratios of one server process): the groups are drawn with replacement `resamples`
 * times and the statistic taken of each draw's pooled values. The processes of one server differ
 * in CPU per request for their whole life (BENCHMARKS.md, "Issue 18: the CLI path, round 3"), so
 * the process, not the round, is the unit to resample. Seeded: the same groups give the same
 * interval.
 */
export function bootstrapInterval (groups, statistic = median, { resamples = 10_000, level = 0.95, seed = 1 } = {}) {
  if (groups.length < 2) return [NaN, NaN]
  let state = seed >>> 0
  const random = () => { // mulberry32: a small seeded generator, enough for resampling
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const draws = new Float64Array(resamples)
  for (let i = 0; i < resamples; i++) {
    const values = []
    for (let g = 0; g < groups.length; g++) values.push(...groups[Math.floor(random() * groups.length)])
    draws[i] = statistic(values)
  }
  draws.sort()
  const tail = (1 - level) / 2
  return [draws[Math.floor(tail * resamples)], draws[Math.min(resamples - 1, Math.ceil((1 - tail) * resamples) - 1)]]
}
