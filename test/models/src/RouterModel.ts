/**
 * RouterModel, one of the user classes the Python wrapper's exchanges were recorded with (the
 * transcripts under test/fixtures and packages/grpc/test/fixtures), in TypeScript. ROUTER: child 0
 * if the first feature is < 0.5, else child 1. send_feedback (Python spelling kept) records the
 * reward per route, exercising `routing`.
 */
import type { NDArray } from '@fastify-seldon/protocol'

export class RouterModel {
  readonly rewards = new Map<number | undefined, number>()

  route (features: NDArray, featureNames: string[]): number {
    const x = features.toFloat64() // np.asarray(features, dtype=float).ravel()
    return x.length > 0 && (x[0] as number) < 0.5 ? 0 : 1
  }

  send_feedback (features: NDArray, featureNames: string[], reward: number, truth: NDArray, routing?: number): unknown[] {
    this.rewards.set(routing, (this.rewards.get(routing) ?? 0) + reward)
    return []
  }
}
