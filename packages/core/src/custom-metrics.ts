/**
 * Custom metrics validated as the Python wrapper validates them (COMPATIBILITY.md C-10, C-18), and
 * the recorder interface the metrics plugin implements. Core never touches Prometheus itself.
 */
import { BadMetricError, badData, JsonFloat, type Metric } from '@fastify-seldon/protocol'
import { formatFloat, quoteJsonString } from '@fastify-seldon/protocol/internal'
import type { MethodLabel } from './endpoints.js'

/** Where validated metrics go; the metrics plugin provides one (prom-client), tests may too. */
export interface MetricsRecorder {
  /** Record custom metrics of one call (values already validated). */
  record: (metrics: readonly Metric[], method: MethodLabel) => void
  /** A feedback with a non-zero reward arrived (seldon_api_model_feedback[_reward]). */
  feedback: (reward: number) => void
  /**
   * Adaptive batching ran a batch of `size` requests, which waited `waitedSeconds` each for it to
   * close (seldon_batch_size, seldon_batch_wait_seconds). Optional: a recorder without it sees no batches.
   */
  batch?: (size: number, waitedSeconds: readonly number[]) => void
}

const METRIC_TYPES = new Set(['COUNTER', 'GAUGE', 'TIMER'])
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/**
 * A valid Prometheus metric name: checked when a metric is validated here, so a bad key never
 * breaks the scrape endpoint (C-18), and again by the metrics package when it records one.
 */
export function isPrometheusMetricName (name: string): boolean {
  return METRIC_NAME.test(name)
}

/** A valid Prometheus label name (the metrics package also refuses the reserved `__` prefix). */
export function isPrometheusLabelName (name: string): boolean {
  return LABEL_NAME.test(name)
}

/**
 * What is wrong with one metric, if anything. `type` and `value` follow proto3: absent means the
 * zero value (COUNTER, 0), as a gRPC client sends them and protobuf's JSON reads them (C-10); only
 * a present but wrong one, or a missing key, is a problem.
 */
function metricProblem (m: unknown): string | undefined {
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return 'a metric must be an object'
  const { key, value, type, tags } = m as Record<string, unknown>
  if (key === undefined) return 'a metric needs a key'
  if (type !== undefined && (typeof type !== 'string' || !METRIC_TYPES.has(type))) return 'type must be COUNTER, GAUGE or TIMER'
  // bigint: a JSON integer beyond 2^53 (the codec keeps its digits); still a number to the proto's float
  if (value !== undefined && typeof value !== 'number' && typeof value !== 'bigint' && typeof value !== 'boolean' && !(value instanceof JsonFloat)) return 'value must be a number'
  if (typeof key !== 'string' || !METRIC_NAME.test(key)) return 'key must be a valid Prometheus metric name'
  if (tags !== undefined) {
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) return 'tags must be an object of strings'
    for (const [k, v] of Object.entries(tags)) {
      if (!LABEL_NAME.test(k) || typeof v !== 'string') return 'tags must map label names to strings'
    }
  }
  return undefined
}

/**
 * Validate what metrics() or a SeldonResponse returned: a list of well-formed metrics, else the
 * wrapper's 500 MICROSERVICE_BAD_METRIC with `json.dumps` of the list.
 */
export function validateCustomMetrics (metrics: unknown): Metric[] {
  if (!Array.isArray(metrics) || metrics.some(m => metricProblem(m) !== undefined)) {
    throw new BadMetricError(pyJsonDumps(metrics))
  }
  return metrics as Metric[]
}

/** Metrics sent by the client in `meta.metrics`: echoed, but a malformed one is the client's 400. */
export function validateRequestMetrics (metrics: unknown, where: string): void {
  if (metrics === undefined) return
  if (!Array.isArray(metrics)) throw badData(`${where}.metrics must be an array`)
  for (let i = 0; i < metrics.length; i++) {
    const problem = metricProblem(metrics[i])
    if (problem !== undefined) throw badData(`${where}.metrics[${i}]: ${problem}`)
  }
}

/** The `method` label added to each metric that carries tags (the Python wrapper mutates them). */
export function withMethodLabel (metrics: readonly Metric[], method: MethodLabel): Metric[] {
  return metrics.map(m => (m.tags !== undefined ? { ...m, tags: { ...m.tags, method } } : m))
}

/**
 * Python's `json.dumps(value)` (default separators, insertion order, ensure_ascii), for error texts.
 * Strings are quoted by the protocol's codec, which escapes as ensure_ascii does (DEL included).
 */
export function pyJsonDumps (value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (value === true) return 'true'
  if (value === false) return 'false'
  if (value instanceof JsonFloat) return floatToken(value.valueOf())
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : floatToken(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return quoteJsonString(value)
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${quoteJsonString(k)}: ${pyJsonDumps(v)}`).join(', ')}}`
  }
  return quoteJsonString(String(value))
}

function floatToken (n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (n === Infinity) return 'Infinity'
  if (n === -Infinity) return '-Infinity'
  return formatFloat(n)
}
