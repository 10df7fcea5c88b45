/** The configured sampler as the SDK's: the standard OTEL_TRACES_SAMPLER names. */
import {
  AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler
} from '@opentelemetry/sdk-trace-node'
import type { SamplerChoice } from './config.js'

export function buildSampler (choice: SamplerChoice): Sampler {
  const ratio = (): Sampler => new TraceIdRatioBasedSampler(choice.ratio ?? 1)
  switch (choice.name) {
    case 'always_on': return new AlwaysOnSampler()
    case 'always_off': return new AlwaysOffSampler()
    case 'traceidratio': return ratio()
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() })
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: ratio() })
    case 'parentbased_always_on': return new ParentBasedSampler({ root: new AlwaysOnSampler() })
  }
}
