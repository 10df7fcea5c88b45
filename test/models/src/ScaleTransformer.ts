/**
 * ScaleTransformer, one of the user classes the Python wrapper's exchanges were recorded with (the
 * transcripts under test/fixtures and packages/grpc/test/fixtures), in TypeScript. Input
 * transformer (X + 1) and output transformer (X * 10) in one class. One method keeps the Python
 * spelling (transform_input), the other uses the Node one (transformOutput): the replay proves both
 * are found.
 */
import type { Meta, NDArray } from '@fastify-seldon/protocol'

export class ScaleTransformer {
  transform_input (X: NDArray, featureNames: string[], meta?: Meta): NDArray {
    return X.map(v => v + 1) // float64, as np.asarray(X, dtype=float) + 1
  }

  transformOutput (X: NDArray, featureNames: string[], meta?: Meta): NDArray {
    return X.map(v => v * 10)
  }
}
