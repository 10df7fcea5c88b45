/**
 * AverageCombiner, one of the user classes the Python wrapper's exchanges were recorded with (the
 * transcripts under test/fixtures and packages/grpc/test/fixtures), in TypeScript. COMBINER:
 * element-wise mean of the children's outputs (`np.mean([np.asarray(f, dtype=float) for f in
 * features_list], axis=0)`).
 */
import { NDArray } from '@fastify-seldon/protocol'

export class AverageCombiner {
  aggregate (featuresList: NDArray[], featureNamesList: string[][]): NDArray {
    const first = featuresList[0]
    if (first === undefined) throw new Error('nothing to aggregate')
    const sum = new Float64Array(first.size)
    for (const features of featuresList) {
      if (features.shape.join() !== first.shape.join()) {
        throw new Error(`shapes differ: (${first.shape.join(',')}) and (${features.shape.join(',')})`)
      }
      const values = features.toFloat64()
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (values[i] as number)
    }
    return new NDArray(sum.map(s => s / featuresList.length), first.shape, 'float64')
  }
}
