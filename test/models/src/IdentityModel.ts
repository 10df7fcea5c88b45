/**
 * IdentityModel, one of the user classes the Python wrapper's exchanges were recorded with (the
 * transcripts under test/fixtures and packages/grpc/test/fixtures), in TypeScript. MODEL: predict
 * returns its input unchanged (no tags, metrics, class names).
 */
import type { NDArray } from '@fastify-seldon/protocol'

export class IdentityModel {
  predict (X: NDArray, featureNames: string[]): NDArray {
    return X
  }
}
