/**
 * `createSeldonMetrics`: a per-instance prom-client registry plus the `MetricsRecorder` that
 * core's SeldonRuntime calls, with the Python wrapper's names, labels and buckets (seldon-core v1.18.2 python/seldon_core/metrics.py).
 */
import promClient from 'prom-client'
import type { Aggregator, Counter, Histogram, Registry } from 'prom-client'
import { isPrometheusLabelName, isPrometheusMetricName, type MethodLabel, type MetricsRecorder } from '@fastify-seldon/core'
import { grpcCodeLabel, type Metric } from '@fastify-seldon/protocol'
import { DEFAULT_REQUEST_BUCKETS, SELDON_TIMER_BUCKETS } from './buckets.js'
import { SeriesFamily, type FamilyType } from './family.js'
import { resolveDeploymentLabels, type DeploymentLabelName, type DeploymentLabels } from './labels.js'

/** The content type of the Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** Names of the series this package creates besides the custom metrics. */
export const METRIC_NAMES = Object.freeze({
  feedback: 'seldon_api_model_feedback_total',
  feedbackReward: 'seldon_api_model_feedback_reward_total',
  errors: 'seldon_metrics_errors_total',
  httpDuration: 'http_request_duration_seconds',
  httpSummary: 'http_request_summary_seconds',
  grpcHandled: 'seldon_grpc_server_handled_total',
  grpcHandling: 'seldon_grpc_server_handling_seconds',
  batchSize: 'seldon_batch_size',
  batchWait: 'seldon_batch_wait_seconds'
})

/** Batch sizes observed by seldon_batch_size (adaptive batching: 1 up to the largest useful batches). */
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256]
/** How long a request waited for its batch to close (seconds; maxBatchTimeMs is typically 1-100 ms). */
const BATCH_WAIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

/** Why a metric was dropped; the `reason` label of `seldon_metrics_errors_total`. */
export type MetricsErrorReason =
  | 'invalid_metric' | 'invalid_name' | 'invalid_type' | 'invalid_value' | 'invalid_label'
  | 'negative_value' | 'type_conflict' | 'name_conflict' | 'series_limit' | 'internal' | 'scrape'

/** Where problems are reported; pino (`fastify.log`) and `console` both fit. */
export interface MetricsLogger {
  warn: (obj: Record<string, unknown>, msg: string) => void
}

/** Anything that can answer a scrape: a SeldonMetrics object or a cluster aggregator. */
export interface MetricsSource {
  readonly contentType: string
  /** The exposition text. */
  metrics: () => Promise<string>
}

export interface SeldonMetricsOptions {
  /** Deployment label values (default: every one `NOT_IMPLEMENTED`); see `deploymentLabelsFromEnv`. */
  deployment?: DeploymentLabels | undefined
  /** Where dropped metrics are reported (once per key and reason). Default: `console`. */
  logger?: MetricsLogger | undefined
  /**
   * How a custom GAUGE is combined across cluster workers by the primary's aggregator
   * (prom-client aggregators). Default `'max'`; counters and histograms are always summed.
   */
  gaugeAggregator?: Aggregator | undefined
  /** Buckets (seconds) of the REST and gRPC request-duration histograms. */
  requestBuckets?: readonly number[] | undefined
  /** Also collect prom-client's default process metrics into this registry. Default false. */
  defaultMetrics?: boolean | undefined
  /** Use this registry instead of a new one. Never the global registry unless you pass it. */
  registry?: Registry | undefined
  /**
   * Series (label sets) one custom metric name may have; a sample that would add one more is
   * dropped, counted in `seldon_metrics_errors_total{reason="series_limit"}` and logged once per
   * name. Default 1000 (`DEFAULT_MAX_SERIES_PER_METRIC`).
   */
  maxSeriesPerMetric?: number | undefined
}

/** Series one custom metric name may have by default. */
export const DEFAULT_MAX_SERIES_PER_METRIC = 1000

export interface SeldonMetrics extends MetricsSource {
  /** This instance's registry (never prom-client's global one unless passed in). */
  readonly registry: Registry
  /** What core's `SeldonRuntime.setMetricsRecorder` takes. Never throws. */
  readonly recorder: MetricsRecorder
  /** The nine deployment label values added to custom and feedback series. */
  readonly deploymentLabels: Readonly<Record<DeploymentLabelName, string>>
  /** Buckets of the request-duration histograms. */
  readonly requestBuckets: readonly number[]
  /**
   * Count one finished gRPC call: `seldon_grpc_server_handled_total{grpc_service,grpc_method,grpc_code}`
   * += 1 and `seldon_grpc_server_handling_seconds{grpc_service,grpc_method}` observes `seconds`.
   * `grpcCode` is a numeric status or its name (canonical `INVALID_ARGUMENT` or Go's
   * `InvalidArgument`); the label is Go's spelling, as go-grpc-prometheus and Seldon's executor
   * print it (`grpcCodeLabel` of @fastify-seldon/protocol): 0 → `OK`, 3 → `InvalidArgument`.
   * Never throws.
   */
  observeGrpc: (service: string, method: string, grpcCode: number | string, seconds: number) => void
  /** Drop every series (custom, feedback, request metrics); families stay registered. */
  reset: () => void
}

const MAX_WARNED = 1000

/** The family name proper (OpenMetrics style: a counter without its `_total`). */
function baseName (type: FamilyType, name: string): string {
  return type === 'counter' ? name.replace(/_total$/, '') : name
}

/** Names a family of the given type exposes or implies, for clash detection. */
function claimedNames (type: FamilyType, name: string): string[] {
  if (type === 'counter') {
    const base = baseName(type, name)
    return [base, `${base}_total`, `${base}_created`]
  }
  if (type === 'histogram') return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`, `${name}_created`]
  return [name]
}

const consoleLogger: MetricsLogger = {
  warn: (obj, msg) => { console.warn(`[@fastify-seldon/metrics] ${msg}`, obj) }
}

class SeldonMetricsImpl implements SeldonMetrics {
  readonly registry: Registry
  readonly recorder: MetricsRecorder
  readonly deploymentLabels: Readonly<Record<DeploymentLabelName, string>>
  readonly requestBuckets: readonly number[]
  readonly contentType = PROMETHEUS_CONTENT_TYPE

  private readonly logger: MetricsLogger
  private readonly gaugeAggregator: Aggregator
  private readonly maxSeriesPerMetric: number
  private readonly families = new Map<string, SeriesFamily>()
  /** claimed name → the family (or builtin) name that owns it */
  private readonly claimed = new Map<string, string>()
  private readonly warned = new Set<string>()
  private errors: Counter<'reason'> | undefined
  private grpcHandled: Counter<'grpc_service' | 'grpc_method' | 'grpc_code'> | undefined
  private grpcHandling: Histogram<'grpc_service' | 'grpc_method'> | undefined
  private batchSize: Histogram | undefined
  private batchWait: Histogram | undefined

  constructor (options: SeldonMetricsOptions) {
    this.registry = options.registry ?? new promClient.Registry()
    this.deploymentLabels = resolveDeploymentLabels(options.deployment)
    this.logger = options.logger ?? consoleLogger
    this.gaugeAggregator = options.gaugeAggregator ?? 'max'
    this.maxSeriesPerMetric = options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES_PER_METRIC
    if (!(this.maxSeriesPerMetric >= 1)) throw new TypeError(`maxSeriesPerMetric must be a number >= 1, got ${String(options.maxSeriesPerMetric)}`)
    this.requestBuckets = Object.freeze([...(options.requestBuckets ?? DEFAULT_REQUEST_BUCKETS)])
    for (const [name, type] of [
      [METRIC_NAMES.errors, 'counter'], [METRIC_NAMES.grpcHandled, 'counter'],
      [METRIC_NAMES.httpDuration, 'histogram'], [METRIC_NAMES.httpSummary, 'histogram'],
      [METRIC_NAMES.grpcHandling, 'histogram'], [METRIC_NAMES.batchSize, 'histogram'],
      [METRIC_NAMES.batchWait, 'histogram']
    ] as const) {
      for (const claimed of claimedNames(type, name)) this.claimed.set(claimed, name)
    }
    if (options.defaultMetrics === true) promClient.collectDefaultMetrics({ register: this.registry })
    this.recorder = Object.freeze({
      record: (metrics: readonly Metric[], method: MethodLabel): void => { this.record(metrics, method) },
      feedback: (reward: number): void => { this.feedback(reward) },
      batch: (size: number, waitedSeconds: readonly number[]): void => { this.batch(size, waitedSeconds) }
    })
  }

  async metrics (): Promise<string> {
    // One metric at a time, so a failing collector costs its own lines, never the whole scrape.
    const parts: string[] = []
    for (const metric of this.registry.getMetricsAsArray()) {
      try {
        parts.push(await this.registry.getSingleMetricAsString(metric.name))
      } catch (err) {
        this.fail('scrape', metric.name, `collecting ${metric.name} failed: ${errorMessage(err)}`)
      }
    }
    return parts.length === 0 ? '' : `${parts.join('\n\n')}\n`
  }

  reset (): void {
    this.registry.resetMetrics()
  }

  observeGrpc (service: string, method: string, grpcCode: number | string, seconds: number): void {
    try {
      this.grpcHandled ??= new promClient.Counter({
        name: METRIC_NAMES.grpcHandled,
        help: 'Completed gRPC calls, by service, method and status code',
        labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
        registers: [this.registry]
      })
      this.grpcHandling ??= new promClient.Histogram({
        name: METRIC_NAMES.grpcHandling,
        help: 'Duration of gRPC calls in seconds, by service and method',
        labelNames: ['grpc_service', 'grpc_method'],
        buckets: [...this.requestBuckets],
        registers: [this.registry]
      })
      this.grpcHandled.inc({ grpc_service: service, grpc_method: method, grpc_code: grpcCodeLabel(grpcCode) })
      if (Number.isFinite(seconds) && seconds >= 0) {
        this.grpcHandling.observe({ grpc_service: service, grpc_method: method }, seconds)
      } else {
        this.fail('invalid_value', METRIC_NAMES.grpcHandling, `gRPC duration must be a finite number >= 0, got ${String(seconds)}`)
      }
    } catch (err) {
      this.fail('internal', 'grpc', `recording a gRPC call failed: ${errorMessage(err)}`)
    }
  }

  /**
   * Adaptive batching closed a batch: its size, and each request's wait for it. The histograms are
   * registered on the first batch, so an app without batching has neither.
   */
  private batch (size: number, waitedSeconds: readonly number[]): void {
    try {
      this.batchSize ??= new promClient.Histogram({
        name: METRIC_NAMES.batchSize,
        help: 'Requests per predict call made by adaptive batching',
        buckets: BATCH_SIZE_BUCKETS,
        registers: [this.registry]
      })
      this.batchWait ??= new promClient.Histogram({
        name: METRIC_NAMES.batchWait,
        help: 'Seconds a request waited for its batch to close (adaptive batching)',
        buckets: BATCH_WAIT_BUCKETS,
        registers: [this.registry]
      })
      this.batchSize.observe(size)
      for (const s of waitedSeconds) this.batchWait.observe(s)
    } catch (err) {
      this.fail('internal', 'batch', `recording a batch failed: ${errorMessage(err)}`)
    }
  }

  private record (metrics: readonly Metric[], method: MethodLabel): void {
    if (!Array.isArray(metrics)) {
      this.fail('invalid_metric', '(input)', 'record() needs an array of metrics')
      return
    }
    for (const metric of metrics) {
      try {
        this.recordOne(metric, method, true)
      } catch (err) {
        this.fail('internal', keyOf(metric), `recording a metric failed: ${errorMessage(err)}`)
      }
    }
  }

  private feedback (reward: number): void {
    if (typeof reward !== 'number' || !Number.isFinite(reward)) {
      this.fail('invalid_value', 'seldon_api_model_feedback_reward', `feedback reward must be a finite number, got ${String(reward)}`)
      return
    }
    try {
      this.recordOne({ type: 'COUNTER', key: 'seldon_api_model_feedback', value: 1 }, 'feedback', false)
      this.recordOne({ type: 'COUNTER', key: 'seldon_api_model_feedback_reward', value: reward }, 'feedback', false)
    } catch (err) {
      this.fail('internal', 'seldon_api_model_feedback', `recording feedback failed: ${errorMessage(err)}`)
    }
  }

  private recordOne (metric: unknown, method: string, withTags: boolean): void {
    if (metric === null || typeof metric !== 'object' || Array.isArray(metric)) {
      this.fail('invalid_metric', '(input)', 'a metric must be an object')
      return
    }
    // proto3 defaults: an absent type is COUNTER, an absent value 0 (COMPATIBILITY.md C-10)
    const { key, type = 'COUNTER', value = 0, tags } = metric as Record<string, unknown>
    if (typeof key !== 'string' || !isPrometheusMetricName(key)) {
      this.fail('invalid_name', keyOf(metric), `metric key ${JSON.stringify(key)} is not a valid Prometheus metric name`)
      return
    }
    const familyType: FamilyType | undefined = type === 'COUNTER' ? 'counter' : type === 'GAUGE' ? 'gauge' : type === 'TIMER' ? 'histogram' : undefined
    if (familyType === undefined) {
      this.fail('invalid_type', key, `metric ${key}: type must be COUNTER, GAUGE or TIMER, got ${JSON.stringify(type)}`)
      return
    }
    const n = toNumber(value)
    if (n === undefined || (familyType !== 'gauge' && !Number.isFinite(n))) {
      this.fail('invalid_value', key, `metric ${key}: value must be a ${familyType === 'gauge' ? '' : 'finite '}number`)
      return
    }
    if (n < 0 && familyType !== 'gauge') {
      // prom-client (and Prometheus semantics) refuse to decrease a counter; a negative duration is meaningless.
      this.fail('negative_value', key, `metric ${key}: negative ${familyType === 'counter' ? 'COUNTER' : 'TIMER'} value ${n} skipped`)
      return
    }
    const labels = this.labelsFor(key, familyType, withTags ? tags : undefined, method)
    if (labels === undefined) return
    const name = familyType === 'counter' && !key.endsWith('_total') ? `${key}_total` : key
    const family = this.family(key, name, familyType)
    if (family === undefined) return
    if (!family.add(labels, familyType === 'histogram' ? n / 1000 : n)) {
      this.fail('series_limit', key, `metric ${key}: already ${this.maxSeriesPerMetric} series (label sets); samples of new label sets are dropped`)
    }
  }

  /** Tags, then `method`, then the deployment labels (later ones win), sorted by name. */
  private labelsFor (key: string, type: FamilyType, tags: unknown, method: string): Record<string, string> | undefined {
    const merged: Record<string, string> = {}
    if (tags !== undefined && tags !== null) {
      if (typeof tags !== 'object' || Array.isArray(tags)) {
        this.fail('invalid_label', key, `metric ${key}: tags must be an object`)
        return undefined
      }
      for (const [name, v] of Object.entries(tags as Record<string, unknown>)) {
        if (!isPrometheusLabelName(name) || name.startsWith('__') || (type === 'histogram' && name === 'le')) {
          this.fail('invalid_label', key, `metric ${key}: ${JSON.stringify(name)} cannot be a label name`)
          return undefined
        }
        merged[name] = typeof v === 'string' ? v : String(v)
      }
    }
    merged.method = method
    Object.assign(merged, this.deploymentLabels)
    const sorted: Record<string, string> = {}
    for (const name of Object.keys(merged).sort()) sorted[name] = merged[name] as string
    return sorted
  }

  private family (key: string, name: string, type: FamilyType): SeriesFamily | undefined {
    const existing = this.families.get(name)
    if (existing !== undefined) {
      if (existing.type === type) return existing
      this.fail('type_conflict', key, `metric ${key}: ${name} is already a ${existing.type}, a ${type} with that name is refused`)
      return undefined
    }
    for (const claimed of claimedNames(type, name)) {
      const owner = this.claimed.get(claimed)
      if (owner !== undefined) {
        const other = this.families.get(owner)
        // the same family name under another type, or a clash with another family's sample names / a builtin
        const reason = other !== undefined && baseName(other.type, other.name) === baseName(type, name) ? 'type_conflict' : 'name_conflict'
        this.fail(reason, key, `metric ${key}: the name ${claimed} is already used by ${owner}${other !== undefined ? ` (a ${other.type})` : ''}`)
        return undefined
      }
    }
    if (this.registry.getSingleMetric(name) !== undefined) {
      this.fail('name_conflict', key, `metric ${key}: ${name} is already registered in the registry`)
      return undefined
    }
    const family = new SeriesFamily({
      name,
      help: '',
      type,
      aggregator: type === 'gauge' ? this.gaugeAggregator : 'sum',
      buckets: type === 'histogram' ? SELDON_TIMER_BUCKETS : undefined,
      maxSeries: this.maxSeriesPerMetric
    })
    family.register(this.registry)
    this.families.set(name, family)
    for (const claimed of claimedNames(type, name)) this.claimed.set(claimed, name)
    return family
  }

  /** Count a dropped metric, log it once per (reason, key). Never throws. */
  private fail (reason: MetricsErrorReason, key: string, message: string): void {
    try {
      this.errors ??= new promClient.Counter({
        name: METRIC_NAMES.errors,
        help: 'Custom metrics and metric operations dropped by @fastify-seldon/metrics, by reason',
        labelNames: ['reason'],
        registers: [this.registry]
      })
      this.errors.inc({ reason })
    } catch {
      // the name is taken in a registry passed in: the log line below still tells
    }
    const id = `${reason}\u0000${key}`
    if (this.warned.has(id) || this.warned.size >= MAX_WARNED) return
    this.warned.add(id)
    try {
      this.logger.warn({ metric: key, reason }, message)
    } catch {
      // a broken logger must not break the caller either
    }
  }
}

function toNumber (value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'bigint') return Number(value) // a JSON integer beyond 2^53
  if (value instanceof Number) return value.valueOf() // JsonFloat
  return undefined
}

function keyOf (metric: unknown): string {
  try {
    const key = (metric as Record<string, unknown> | null)?.key
    if (typeof key === 'string') return key
  } catch {
    // a throwing getter: fall through
  }
  return '(input)'
}

function errorMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

/**
 * Create the metrics of one app: a private prom-client registry, the recorder core calls, and
 * the request metrics helpers. Two calls never share state.
 */
export function createSeldonMetrics (options: SeldonMetricsOptions = {}): SeldonMetrics {
  return new SeldonMetricsImpl(options)
}
