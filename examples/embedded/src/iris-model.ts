/**
 * A small Seldon model: a hand-written iris classifier (petal-length thresholds) answering one-hot
 * class probabilities, with its own error class rendered by its own error handler.
 */
import type { ErrorHandlerEntry } from '@fastify-seldon/core'
import { NDArray } from '@fastify-seldon/protocol'
import { QuotaExceeded } from './quota.js'

export interface IrisModelOptions {
  /** Most rows one request may score. */
  maxBatch?: number
}

const CLASSES = ['setosa', 'versicolor', 'virginica']

export class IrisModel {
  readonly maxBatch: number

  /** QuotaExceeded inside the model's routes → 429 with a body of the model's choosing. */
  readonly errorHandlers: ErrorHandlerEntry[] = [
    {
      error: QuotaExceeded,
      handle: (err: QuotaExceeded) => ({
        statusCode: 429,
        headers: { 'retry-after': '60' },
        body: { error: 'quota_exceeded', limit: err.limit, requested: err.requested }
      })
    }
  ]

  constructor ({ maxBatch = 8 }: IrisModelOptions = {}) {
    this.maxBatch = maxBatch
  }

  /** X: rows of [sepal length, sepal width, petal length, petal width] (cm). */
  predict (X: NDArray): NDArray {
    if (X.ndim !== 2 || X.shape[1] !== 4) {
      throw new TypeError(`expected rows of 4 features, got shape (${X.shape.join(',')})`)
    }
    const rows = X.shape[0] as number
    if (rows > this.maxBatch) throw new QuotaExceeded(this.maxBatch, rows)
    const values = X.toFloat64()
    const out = new Float64Array(rows * CLASSES.length)
    for (let r = 0; r < rows; r++) {
      const petalLength = values[r * 4 + 2] as number
      const k = petalLength < 2.5 ? 0 : petalLength < 4.9 ? 1 : 2
      out[r * CLASSES.length + k] = 1
    }
    return new NDArray(out, [rows, CLASSES.length], 'float64')
  }

  classNames (): string[] {
    return CLASSES
  }
}
