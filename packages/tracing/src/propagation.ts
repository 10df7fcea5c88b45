/**
 * The propagators named in the configuration, composed in their order (the last one that finds a
 * context wins on extraction; all of them write on injection). B3 is imported only when asked for.
 */
import type { TextMapPropagator } from '@opentelemetry/api'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import type { PropagatorName } from './config.js'
import { JaegerPropagator } from './jaeger.js'

export async function buildPropagator (names: readonly PropagatorName[]): Promise<TextMapPropagator> {
  const propagators: TextMapPropagator[] = []
  for (const name of names) {
    switch (name) {
      case 'tracecontext': propagators.push(new W3CTraceContextPropagator()); break
      case 'baggage': propagators.push(new W3CBaggagePropagator()); break
      case 'jaeger': propagators.push(new JaegerPropagator()); break
      case 'b3':
      case 'b3multi': {
        const { B3Propagator, B3InjectEncoding } = await import('@opentelemetry/propagator-b3')
        propagators.push(new B3Propagator({
          injectEncoding: name === 'b3' ? B3InjectEncoding.SINGLE_HEADER : B3InjectEncoding.MULTI_HEADER
        }))
        break
      }
    }
  }
  return new CompositePropagator({ propagators })
}
