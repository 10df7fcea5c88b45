/**
 * An input TRANSFORMER: standardises each feature, `(x - mean) / std`, with means and standard
 * deviations fixed at deployment time (what scikit-learn's StandardScaler learnt on the training
 * set), so the model behind it receives features on the scale it was trained on.
 *
 *   pnpm start   # seldon-microservice src/StandardScaler.ts --service-type TRANSFORMER
 *
 * Parameters (PREDICTIVE_UNIT_PARAMETERS): `means` and `stds`, each a comma-separated STRING
 * ("5.843,3.057,3.758,1.199": a SeldonDeployment has no list type) or, from code, a number array.
 * The defaults are the iris training set's (sepal length/width, petal length/width, in cm).
 */
import type { TransformerComponent } from '@fastify-seldon/core'
import { NDArray, SeldonMicroserviceError } from '@fastify-seldon/protocol'
import { describeFeatures } from './features.js'

export const IRIS_MEANS: readonly number[] = [5.843, 3.057, 3.758, 1.199]
export const IRIS_STDS: readonly number[] = [0.825, 0.434, 1.759, 0.760]

export interface StandardScalerParameters {
  means?: readonly number[] | string
  stds?: readonly number[] | string
}

/** A parameter as a list of finite numbers: arrays as they are, strings split on commas. */
export function numberList (name: string, value: readonly number[] | string): number[] {
  const list = typeof value === 'string' ? value.split(',').map(s => (s.trim() === '' ? Number.NaN : Number(s))) : value
  if (!Array.isArray(list) || list.length === 0 || !list.every(v => typeof v === 'number' && Number.isFinite(v))) {
    throw new RangeError(`${name} must be a non-empty list of numbers (e.g. "1.5,2,0.25"), got ${JSON.stringify(value)}`)
  }
  return [...list]
}

export class StandardScaler implements TransformerComponent {
  readonly means: readonly number[]
  readonly stds: readonly number[]

  constructor ({ means = IRIS_MEANS, stds = IRIS_STDS }: StandardScalerParameters = {}) {
    // Checked here so a bad deployment fails at start-up, not on every request.
    this.means = numberList('means', means)
    this.stds = numberList('stds', stds)
    if (this.means.length !== this.stds.length) {
      throw new RangeError(`means and stds must have one value per feature: got ${this.means.length} means and ${this.stds.length} stds`)
    }
    if (this.stds.some(s => s <= 0)) throw new RangeError(`stds must be > 0, got ${this.stds.join(',')}`)
  }

  /** One row ([4]) or a batch ([n, 4]) of raw features → the same shape, standardised, float64. */
  transformInput (X: unknown): NDArray {
    const width = this.means.length
    if (!(X instanceof NDArray) || !X.isNumeric || X.ndim < 1 || X.ndim > 2 || X.shape[X.ndim - 1] !== width) {
      throw new SeldonMicroserviceError(`expected rows of ${width} numeric features, got ${describeFeatures(X)}`)
    }
    // Row-major storage: flat index i is feature i % width.
    return X.map((x, i) => (x - (this.means[i % width] as number)) / (this.stds[i % width] as number))
  }
}

export default StandardScaler
