/**
 * RichModel, one of the user classes the Python wrapper's exchanges were recorded with (the
 * transcripts under test/fixtures and packages/grpc/test/fixtures), in TypeScript. MODEL with
 * classNames(), tags(), metrics(), initMetadata() and healthStatus(). predict returns X *
 * multiplier as a float64 array (numpy's `np.asarray(X, dtype=float) * self.multiplier`), so 2-D
 * results carry the class names.
 *
 * The recorded wrapper ran with PREDICTIVE_UNIT_PARAMETERS multiplier=3 of type FLOAT: Python holds
 * `float(multiplier)` and prints the GAUGE as `3.0`. JavaScript has one number type, so the value
 * is boxed with `float()` where it goes into a response (see COMPATIBILITY.md, "JS numbers").
 */
import { float, type NDArray, type Metric } from '@fastify-seldon/protocol'

export interface RichModelParameters {
  multiplier?: number
}

export class RichModel {
  readonly multiplier: number
  calls = 0

  constructor ({ multiplier = 2.0 }: RichModelParameters = {}) {
    this.multiplier = Number(multiplier)
  }

  predict (X: NDArray, featureNames: string[]): NDArray {
    this.calls += 1
    // NDArray.map always yields float64, like numpy's dtype=float.
    return X.map(v => v * this.multiplier)
  }

  classNames (): string[] {
    return ['a', 'b', 'c', 'd']
  }

  tags (): Record<string, string> {
    return { model: 'rich', version: 'v1' }
  }

  metrics (): Metric[] {
    return [
      { type: 'COUNTER', key: 'rich_calls_total', value: 1 },
      { type: 'GAUGE', key: 'rich_multiplier', value: float(this.multiplier) },
      { type: 'TIMER', key: 'rich_fake_timer', value: 12.5 },
      { type: 'COUNTER', key: 'rich_tagged', value: 1, tags: { kind: 'x' } }
    ]
  }

  healthStatus (): Record<string, unknown> {
    return { healthy: true, calls: this.calls }
  }

  initMetadata (): Record<string, unknown> {
    return {
      name: 'rich-model',
      versions: ['v1'],
      platform: 'seldon',
      inputs: [{ messagetype: 'tensor', schema: { names: ['a', 'b', 'c', 'd'], shape: [4] } }],
      outputs: [{ messagetype: 'tensor', schema: { shape: [4] } }],
      custom: { author: 'ref' }
    }
  }
}
