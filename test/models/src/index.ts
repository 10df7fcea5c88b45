/**
 * @fastify-seldon/test-models (private): the seven user classes the Python wrapper's exchanges were
 * recorded with, ported to TypeScript once, for the REST, gRPC and cross-package tests. Each
 * transcript suite has its component in {@link suiteComponents}.
 */
import { AverageCombiner } from './AverageCombiner.js'
import { ErrorModel } from './ErrorModel.js'
import { FeedbackModel } from './FeedbackModel.js'
import { IdentityModel } from './IdentityModel.js'
import { RichModel } from './RichModel.js'
import { RouterModel } from './RouterModel.js'
import { ScaleTransformer } from './ScaleTransformer.js'

export { AverageCombiner, ErrorModel, FeedbackModel, IdentityModel, RichModel, RouterModel, ScaleTransformer }
export { UserCustomException } from './ErrorModel.js'

/**
 * A fresh component for each suite, built as the recorded wrapper was started (the `started with`
 * of each suite): RichModel with PREDICTIVE_UNIT_PARAMETERS multiplier=3 (FLOAT).
 */
export const suiteComponents: Record<string, () => object> = {
  identity: () => new IdentityModel(),
  rich: () => new RichModel({ multiplier: 3 }),
  router: () => new RouterModel(),
  combiner: () => new AverageCombiner(),
  transformer: () => new ScaleTransformer(),
  error: () => new ErrorModel(),
  feedback: () => new FeedbackModel()
}
