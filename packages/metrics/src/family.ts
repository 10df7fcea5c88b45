/**
 * One Prometheus metric family whose series may carry different label-name sets.
 *
 * prom-client fixes a metric's label names at construction, while a Seldon custom metric key may
 * be recorded with one tag set now and another later. Prometheus forbids two families with one
 * name, but lets the series of one family carry different label sets (an absent label is the
 * same as an empty one). So a family keeps one real prom-client child (Counter, Gauge or
 * Histogram, registered nowhere) per distinct label-name set and is itself registered in the
 * registry: its `get()` concatenates the children's series, so the exposition shows one
 * `# HELP`/`# TYPE` header and every series keeps exactly its own labels. Labels are emitted
 * sorted by name (`le` included), as the wrapper's prometheus_client prints them.
 *
 * A family holds at most `maxSeries` series (label sets): a component whose tags come from its
 * input would otherwise grow one per distinct value, without bound (10,000 requests made 10,035
 * series and 3.6 MB scrapes). A sample of a new label set past the cap is refused (`add` returns
 * false; the caller counts and logs it); the series it already has keep counting.
 */
import promClient from 'prom-client'
import type { Aggregator, Counter, Gauge, Histogram, Registry } from 'prom-client'

export type FamilyType = 'counter' | 'gauge' | 'histogram'

type Child = Counter<string> | Gauge<string> | Histogram<string>

interface SeriesValue {
  value: number
  labels: Record<string, string | number>
  metricName?: string
}

export interface FamilyConfig {
  name: string
  help: string
  type: FamilyType
  aggregator: Aggregator
  buckets?: readonly number[] | undefined
  /** Series (label sets) this family may hold; default unlimited. */
  maxSeries?: number | undefined
}

export class SeriesFamily {
  readonly name: string
  readonly help: string
  readonly type: FamilyType
  readonly aggregator: Aggregator
  private readonly buckets: readonly number[] | undefined
  private readonly children = new Map<string, Child>()
  private readonly maxSeries: number
  /** The label sets seen, while a cap applies. */
  private readonly series = new Set<string>()

  constructor (config: FamilyConfig) {
    this.name = config.name
    this.help = config.help
    this.type = config.type
    this.aggregator = config.aggregator
    this.buckets = config.buckets
    this.maxSeries = config.maxSeries ?? Infinity
  }

  /** Put this family in a registry (throws if the name is taken there). */
  register (registry: Registry): void {
    // The registry only needs name/help/type/aggregator/get()/reset(); prom-client's type wants a class.
    registry.registerMetric(this as unknown as Counter<string>)
  }

  /**
   * `labels` must already be sorted by name and valid for this type. False (nothing recorded)
   * when they would be a new series past `maxSeries`.
   */
  add (labels: Record<string, string>, value: number): boolean {
    if (this.maxSeries !== Infinity) {
      let key = ''
      for (const name in labels) key += `${name}\u0000${labels[name] as string}\u0001`
      if (!this.series.has(key)) {
        if (this.series.size >= this.maxSeries) return false
        this.series.add(key)
      }
    }
    const child = this.child(Object.keys(labels))
    if (child instanceof promClient.Counter) child.inc(labels, value)
    else if (child instanceof promClient.Gauge) child.set(labels, value)
    else child.observe(labels, value)
    return true
  }

  private child (labelNames: string[]): Child {
    const key = labelNames.join(',')
    let child = this.children.get(key)
    if (child === undefined) {
      const common = { name: this.name, help: this.help || this.name, labelNames, registers: [], aggregator: this.aggregator }
      child = this.type === 'counter'
        ? new promClient.Counter(common)
        : this.type === 'gauge'
          ? new promClient.Gauge(common)
          : new promClient.Histogram({ ...common, buckets: [...(this.buckets ?? [])] })
      this.children.set(key, child)
    }
    return child
  }

  async get (): Promise<{ name: string, help: string, type: FamilyType, aggregator: Aggregator, values: SeriesValue[] }> {
    const values: SeriesValue[] = []
    for (const child of this.children.values()) {
      const data = await child.get()
      for (const v of data.values as SeriesValue[]) {
        const out: SeriesValue = { value: v.value, labels: sortedLabels(v.labels) }
        if (v.metricName !== undefined) out.metricName = v.metricName
        values.push(out)
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }

  reset (): void {
    for (const child of this.children.values()) child.reset()
    this.series.clear()
  }
}

function sortedLabels (labels: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const name of Object.keys(labels).sort()) out[name] = labels[name] as string | number
  return out
}
