/**
 * A COMBINER: the element-wise mean of its children's outputs, e.g. an ensemble of models that
 * each return class probabilities. The TypeScript version of the Python guide's
 * `(Xs[0] + Xs[1]) / 2` combiner, for any number of children, that says which shapes do not match
 * instead of failing somewhere inside the arithmetic.
 *
 *   pnpm start   # seldon-microservice src/AverageCombiner.ts --service-type COMBINER
 *
 * The executor POSTs /aggregate with a JSON array of the children's responses; each one reaches
 * aggregate() decoded (an NDArray for `data`), in the children's order.
 */
import type { CombinerComponent } from '@fastify-seldon/core'
import { NDArray, SeldonMicroserviceError } from '@fastify-seldon/protocol'

const shapeText = (shape: readonly number[]): string => `[${shape.join(',')}]`

export class AverageCombiner implements CombinerComponent {
  aggregate (featuresList: unknown[]): NDArray {
    if (featuresList.length === 0) throw new SeldonMicroserviceError('nothing to average: no child outputs')
    const arrays = featuresList.map((features, i) => {
      // jsonData/strData/binData children, or an ndarray of strings, cannot be averaged.
      if (!(features instanceof NDArray) || !features.isNumeric) {
        throw new SeldonMicroserviceError(`child ${i} did not return numeric data: only data.ndarray / data.tensor of numbers can be averaged`)
      }
      return features
    })
    const [first] = arrays as [NDArray, ...NDArray[]]
    const sameShape = (a: NDArray): boolean => a.ndim === first.ndim && a.shape.every((d, i) => d === first.shape[i])
    if (!arrays.every(sameShape)) {
      // 400, the client's (or the graph's) mistake: name every shape so the odd child is obvious.
      throw new SeldonMicroserviceError(`cannot average child outputs of different shapes: ${arrays.map(a => shapeText(a.shape)).join(', ')}`)
    }
    const mean = new Float64Array(first.size)
    for (const a of arrays) {
      const values = a.toFloat64()
      for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] as number) + (values[i] as number)
    }
    for (let i = 0; i < mean.length; i++) mean[i] = (mean[i] as number) / arrays.length
    // float64 like numpy's mean: [[1],[2]] averages to [[1.5]], and [[1],[3]] to [[2.0]].
    return new NDArray(mean, first.shape, 'float64')
  }
}

export default AverageCombiner
