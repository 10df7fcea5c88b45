/**
 * An OUTPUT_TRANSFORMER: turns a classifier's probabilities into what a client wants to read,
 * `{"predictions":[{"confidence":0.9667,"label":"setosa"}]}` (a plain object → `jsonData`), one
 * entry per row: the most probable class and its probability, rounded.
 *
 *   pnpm run start:output   # seldon-microservice src/ProbabilityLabeler.ts --service-type OUTPUT_TRANSFORMER
 *
 * The labels come from the model's response itself (`data.names`, e.g. the iris model's
 * classNames()), else from the `labels` parameter (comma-separated STRING). `digits` (INT,
 * default 4) is the rounding.
 */
import type { OutputTransformerComponent } from '@fastify-seldon/core'
import { float, NDArray, SeldonMicroserviceError, type JsonFloat } from '@fastify-seldon/protocol'
import { describeFeatures } from './features.js'

export interface ProbabilityLabelerParameters {
  labels?: string[] | string
  digits?: number
}

export interface LabelledPrediction {
  label: string
  confidence: JsonFloat
}

export class ProbabilityLabeler implements OutputTransformerComponent {
  readonly labels: readonly string[]
  readonly digits: number

  constructor ({ labels = [], digits = 4 }: ProbabilityLabelerParameters = {}) {
    this.labels = typeof labels === 'string' ? labels.split(',').map(s => s.trim()).filter(s => s !== '') : [...labels]
    if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new RangeError(`digits must be an integer from 0 to 15, got ${String(digits)}`)
    this.digits = digits
  }

  /** [n, k] (or one row [k]) of probabilities + their column names → one labelled prediction per row. */
  transformOutput (X: unknown, names: string[]): { predictions: LabelledPrediction[] } {
    if (!(X instanceof NDArray) || !X.isNumeric || X.ndim < 1 || X.ndim > 2) {
      throw new SeldonMicroserviceError(`expected rows of class probabilities, got ${describeFeatures(X)}`)
    }
    const rows = X.ndim === 1 ? X.reshape([1, X.size]) : X
    const width = rows.shape[1] as number
    const labels = this.labelsFor(width, names)
    const scale = 10 ** this.digits
    const predictions: LabelledPrediction[] = []
    for (const row of rows.rows()) {
      const p = row.toFloat64()
      let best = 0
      for (let i = 1; i < p.length; i++) if ((p[i] as number) > (p[best] as number)) best = i
      // float(): a probability prints as 1.0, not 1, as Python's json would print it
      predictions.push({ label: labels[best] as string, confidence: float(Math.round((p[best] as number) * scale) / scale) })
    }
    return { predictions }
  }

  /** The response's own column names win; the `labels` parameter is the fallback. */
  private labelsFor (width: number, names: string[]): readonly string[] {
    if (names.length === width && width > 0) return names
    if (this.labels.length === width && width > 0) return this.labels
    throw new SeldonMicroserviceError(
      `cannot label rows of ${width} probabilities: data.names has ${names.length} names and the labels parameter ${this.labels.length}`
    )
  }
}

export default ProbabilityLabeler
