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
 * sorted by name (`le` included), as the reference's prometheus_client prints them.
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
}

export class SeriesFamily {
  readonly name: string
  readonly help: string
  readonly type: FamilyType
  readonly aggregator: Aggregator
  private readonly buckets: readonly number[] | undefined
  private readonly children = new Map<string, Child>()

  constructor (config: FamilyConfig) {
    this.name = config.name
    this.help = config.help
    this.type = config.type
    this.aggregator = config.aggregator
    this.buckets = config.buckets
  }

  /** Put this family in a registry (throws if the name is taken there). */
  register (registry: Registry): void {
    // The registry only needs name/help/type/aggregator/get()/reset(); prom-client's type wants a class.
    registry.registerMetric(this as unknown as Counter<string>)
  }

  /** `labels` must already be sorted by name and valid for this type. */
  add (labels: Record<string, string>, value: number): void {
    const child = this.child(Object.keys(labels))
    if (child instanceof promClient.Counter) child.inc(labels, value)
    else if (child instanceof promClient.Gauge) child.set(labels, value)
    else child.observe(labels, value)
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
  }
}

function sortedLabels (labels: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {}
  for (const name of Object.keys(labels).sort()) out[name] = labels[name] as string | number
  return out
}
