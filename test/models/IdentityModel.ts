/**
 * Port of reference/models/IdentityModel.py — MODEL: predict returns its input unchanged
 * (no tags, metrics, class names).
 */
import type { NDArray } from '@fastify-seldon/protocol'

export class IdentityModel {
  predict (X: NDArray, featureNames: string[]): NDArray {
    return X
  }
}
