/**
 * FeedbackModel, one of the user classes the Python wrapper's exchanges were recorded with (the
 * transcripts under test/fixtures and packages/grpc/test/fixtures), in TypeScript. MODEL with
 * send_feedback (the Python spelling, kept on purpose): accumulates rewards; predict returns
 * [[total_reward, feedback_count]] so feedback effects are observable; send_feedback returns the
 * truth.
 *
 * Python's `self.total_reward = 0.0` is a float and prints `0.0`; `self.count` is an int and prints
 * `0`. In JavaScript both are numbers, so the float is boxed with `float()` where it leaves the
 * model (see COMPATIBILITY.md, "JS numbers").
 */
import { float, type Metric, type NDArray } from '@fastify-seldon/protocol'

export class FeedbackModel {
  total_reward = 0.0
  count = 0

  predict (X: NDArray, featureNames: string[]): unknown[] {
    return [[float(this.total_reward), this.count]]
  }

  send_feedback (features: NDArray, featureNames: string[], reward: number, truth: NDArray, routing?: number): NDArray {
    this.total_reward += reward
    this.count += 1
    return truth
  }

  metrics (): Metric[] {
    return [{ type: 'GAUGE', key: 'feedback_total_reward', value: float(this.total_reward) }]
  }
}
