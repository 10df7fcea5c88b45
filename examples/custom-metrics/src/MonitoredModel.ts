/**
 * A MODEL that reports on itself: custom metrics and tags, the Python guide's "Adding Custom
 * Metrics" and "Returning Tags" sections in TypeScript. The model itself is a stand-in (a fixed
 * linear score per row); what matters is where each number goes:
 *
 *   - metrics()  COUNTER, GAUGE and TIMER, called by the runtime after EVERY call — predict, but
 *                also /send-feedback and each /health/status probe (the wrapper does the same) —
 *                and recorded with a `method` label (predict, feedback, health...);
 *   - tags()     static facts added to every response's meta.tags;
 *   - SeldonResponse(data, tags, metrics)  per-call tags and metrics, known only inside predict.
 *
 * All of them appear in the response's `meta` and, under the CLI, on the Prometheus port.
 *
 *   pnpm start   # seldon-microservice src/MonitoredModel.ts --service-type MODEL
 *
 * Parameters: `weights` (comma-separated STRING, default "1,0.5,0.25,0.125").
 */
import { performance } from 'node:perf_hooks'
import { SeldonResponse, type ModelComponent } from '@fastify-seldon/core'
import { NDArray, SeldonMicroserviceError, type JsonValue, type Metric } from '@fastify-seldon/protocol'

export interface MonitoredModelParameters {
  weights?: readonly number[] | string
}

export class MonitoredModel implements ModelComponent {
  readonly weights: readonly number[]
  private lastBatchSize = 0
  /** Predict durations (ms) not reported yet: each one is reported once, by the next metrics(). */
  private readonly pendingTimings: number[] = []

  constructor ({ weights = [1, 0.5, 0.25, 0.125] }: MonitoredModelParameters = {}) {
    const list = typeof weights === 'string' ? weights.split(',').map(s => (s.trim() === '' ? Number.NaN : Number(s))) : [...weights]
    if (list.length === 0 || !list.every(Number.isFinite)) throw new RangeError(`weights must be a list of numbers, got ${JSON.stringify(weights)}`)
    this.weights = list
  }

  /** One score per row, `X · weights`, as [n, 1]; plus this call's own tags and metrics. */
  predict (X: unknown): SeldonResponse {
    const started = performance.now()
    const width = this.weights.length
    if (!(X instanceof NDArray) || !X.isNumeric || X.ndim !== 2 || X.shape[1] !== width) {
      throw new SeldonMicroserviceError(`expected rows of ${width} numbers, got ${X instanceof NDArray ? `shape [${X.shape.join(',')}]` : 'no data'}`)
    }
    const rows = X.shape[0] as number
    const values = X.toFloat64()
    const scores = new Float64Array(rows)
    for (let r = 0; r < rows; r++) {
      let s = 0
      for (let c = 0; c < width; c++) s += (values[r * width + c] as number) * (this.weights[c] as number)
      scores[r] = s
    }
    this.lastBatchSize = rows
    this.pendingTimings.push(performance.now() - started)
    // Per-call facts go in the response itself: they belong to this request only.
    return new SeldonResponse(
      new NDArray(scores, [rows, 1], 'float64'),
      { batch_size: rows },
      [{ type: 'COUNTER', key: 'monitored_rows', value: rows }]
    )
  }

  classNames (): string[] {
    return ['score']
  }

  tags (): Record<string, JsonValue> {
    return { model: 'monitored', version: 'v1' }
  }

  metrics (): Metric[] {
    const metrics: Metric[] = [
      // +1 per call of any kind; the `method` label says which endpoint it was.
      { type: 'COUNTER', key: 'monitored_calls', value: 1 },
      // A gauge is set, not added: the size of the latest batch.
      { type: 'GAUGE', key: 'monitored_last_batch_size', value: this.lastBatchSize }
    ]
    // A TIMER (milliseconds) is a histogram observation: report each predict's duration exactly
    // once, so health probes (which call metrics() too) do not observe it again.
    for (const ms of this.pendingTimings.splice(0)) metrics.push({ type: 'TIMER', key: 'monitored_predict_time', value: ms })
    return metrics
  }
}

export default MonitoredModel
