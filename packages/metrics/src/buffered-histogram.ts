/**
 * A prom-client histogram whose observations are counted here and handed to prom-client before
 * every read. prom-client's `observe(labels, value)` validates and hashes the label set on every
 * call (a closure, two objects and a string each time). Observed per request, a worker serving
 * small predicts used 41.1 µs of CPU per request, and 35.2 µs with the observations batched into
 * typed arrays and observed in a warm loop (BENCHMARKS.md, "Issue 18, item 1: a worker's fixed
 * costs"); that loop was then still the largest function of ours in the profile, ~0.5 µs per
 * request ("Issue 18, item 1: the per-request checks"). So each series now counts its own
 * observations per bucket, as prom-client does, and adds the counts to prom-client's record of its
 * label set when the histogram is collected (prom-client calls `collect` before every read: a
 * scrape, the cluster's aggregation). The histogram, its text and its aggregation across workers
 * stay prom-client's; what this file relies on of prom-client 15's histogram (its per-label-set
 * record: `labels`, `bucketValues` by upper bound, `sum`, `count`) is checked by
 * test/buffered-histogram.test.ts, which compares every read with a plain prom-client histogram.
 */
import promClient from 'prom-client'

/** prom-client's record of one label set, which `observe` adds to (lib/histogram.js, 15.1). */
interface ValueRecord {
  labels: Record<string, string | number>
  bucketValues: Record<string, number>
  sum: number
  count: number
}

/** The observations of one label set not handed to prom-client yet. */
export class SeriesBuffer<L extends string> {
  /** Observations per bucket (the last: above every bound, counted by `count` alone). */
  private readonly counts: Float64Array
  private count = 0
  /**
   * The running sum, observation after observation as prom-client adds them, so that the sum read
   * is the very number prom-client would hold; `written` is what the last hand-over left there.
   */
  private sum = 0
  private written = 0

  constructor (
    private readonly histogram: BufferedHistogram<L>,
    private readonly labels: promClient.LabelValues<L>,
    private readonly bounds: readonly number[]
  ) {
    this.counts = new Float64Array(bounds.length + 1)
  }

  /** One observation (seconds, finite and >= 0: the caller's clock). */
  add (value: number): void {
    const bounds = this.bounds
    let bucket = 0
    while (bucket < bounds.length && value > (bounds[bucket] as number)) bucket++
    this.counts[bucket] = (this.counts[bucket] as number) + 1
    this.count++
    this.sum += value
  }

  flush (): void {
    if (this.count === 0) return
    const record = this.histogram.recordOf(this.labels)
    // Somebody else observed this label set meanwhile (a foreign observe): add to theirs.
    if (record.sum !== this.written) this.sum = record.sum + (this.sum - this.written)
    record.sum = this.written = this.sum
    record.count += this.count
    for (let bucket = 0; bucket < this.bounds.length; bucket++) {
      const n = this.counts[bucket] as number
      if (n === 0) continue
      const bound = this.bounds[bucket] as number
      record.bucketValues[bound] = (record.bucketValues[bound] ?? 0) + n
    }
    this.counts.fill(0)
    this.count = 0
  }

  discard (): void {
    this.counts.fill(0)
    this.count = 0
    this.sum = this.written = 0
  }
}

export class BufferedHistogram<L extends string> extends promClient.Histogram<L> {
  // Made by the first series: prom-client's constructor calls reset() before any field exists.
  private buffers: Array<SeriesBuffer<L>> | undefined
  private readonly bounds: readonly number[]

  constructor (configuration: Omit<promClient.HistogramConfiguration<L>, 'collect'>) {
    super({
      ...configuration,
      // prom-client calls this before every read of the values (a scrape, the cluster's aggregation).
      collect () { (this as BufferedHistogram<L>).flush() }
    })
    this.bounds = (this as unknown as { upperBounds: readonly number[] }).upperBounds
  }

  /** The buffer of one label set: keep it and `add` to it (a new buffer per call). */
  series (labels: promClient.LabelValues<L>): SeriesBuffer<L> {
    const buffer = new SeriesBuffer(this, labels, this.bounds)
    this.buffers ??= []
    this.buffers.push(buffer)
    return buffer
  }

  flush (): void {
    for (const buffer of this.buffers ?? []) buffer.flush()
  }

  /** prom-client's record of `labels` (equal values), made at zero by prom-client if there is none. */
  recordOf (labels: promClient.LabelValues<L>): ValueRecord {
    const found = this.findRecord(labels)
    if (found !== undefined) return found
    this.zero(labels)
    return this.findRecord(labels) as ValueRecord
  }

  private findRecord (labels: promClient.LabelValues<L>): ValueRecord | undefined {
    const records = Object.values((this as unknown as { hashMap: Record<string, ValueRecord> }).hashMap)
    const names = Object.keys(labels) as L[]
    return records.find(record => names.length === Object.keys(record.labels).length &&
      names.every(name => String(record.labels[name]) === String(labels[name])))
  }

  override reset (): void {
    for (const buffer of this.buffers ?? []) buffer.discard()
    super.reset()
  }
}
