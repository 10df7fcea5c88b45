/** The seven reference classes ported to TypeScript, per transcript suite. */
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
 * A fresh component for each suite, built as the reference started it (`started with:` line of
 * each suite): RichModel with PREDICTIVE_UNIT_PARAMETERS multiplier=3 (FLOAT).
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
