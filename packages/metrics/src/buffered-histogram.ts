/**
 * A prom-client histogram fed in batches. prom-client's `observe(labels, value)` validates and
 * hashes the label set on every call (a closure, two objects and a string each time): in a loop it
 * costs ~0.5 µs, but a worker serving small predicts used 41.1 µs of CPU per request observing
 * each one that way and 35.2 µs with these batches (BENCHMARKS.md, "Issue 18, item 1: a worker's
 * fixed costs"). Here each series keeps its observations in a small typed array that is handed to
 * prom-client when full and before every read (`collect`), so the per-request cost is a store and
 * prom-client's work runs in a warm loop. The histogram, its buckets, its text and its
 * aggregation across workers stay prom-client's own.
 */
import promClient from 'prom-client'

/** Observations one series holds before they are handed over. */
const BATCH = 256

/** The observations of one label set, waiting for prom-client. */
export class SeriesBuffer<L extends string> {
  private readonly values = new Float64Array(BATCH)
  private count = 0

  constructor (private readonly histogram: promClient.Histogram<L>, private readonly labels: promClient.LabelValues<L>) {}

  /** One observation (seconds, finite and >= 0: the caller's clock). */
  add (value: number): void {
    this.values[this.count++] = value
    if (this.count === BATCH) this.flush()
  }

  flush (): void {
    const n = this.count
    this.count = 0
    for (let i = 0; i < n; i++) this.histogram.observe(this.labels, this.values[i] as number)
  }

  discard (): void {
    this.count = 0
  }
}

export class BufferedHistogram<L extends string> extends promClient.Histogram<L> {
  // Made by the first series: prom-client's constructor calls reset() before any field exists.
  private buffers: Array<SeriesBuffer<L>> | undefined

  constructor (configuration: Omit<promClient.HistogramConfiguration<L>, 'collect'>) {
    super({
      ...configuration,
      // prom-client calls this before every read of the values (a scrape, the cluster's aggregation).
      collect () { (this as BufferedHistogram<L>).flush() }
    })
  }

  /** The buffer of one label set: keep it and `add` to it (a new buffer per call). */
  series (labels: promClient.LabelValues<L>): SeriesBuffer<L> {
    const buffer = new SeriesBuffer(this, labels)
    this.buffers ??= []
    this.buffers.push(buffer)
    return buffer
  }

  flush (): void {
    for (const buffer of this.buffers ?? []) buffer.flush()
  }

  override reset (): void {
    for (const buffer of this.buffers ?? []) buffer.discard()
    super.reset()
  }
}
