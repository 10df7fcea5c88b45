/**
 * One SeldonRuntime per component object: several plugins mounted for the same component (a model
 * plus its feedback routes, an input plus an output transformer, or REST plus gRPC) share its
 * method table, its load() and its state, as the Python wrapper's single user object does. The
 * registry is shared by every installed copy of the packages (registry.ts).
 */
import { SeldonRuntime, type RuntimeOptions } from '../runtime.js'
import { sharedWeakMap } from './registry.js'

const runtimes = sharedWeakMap<object, SeldonRuntime>('runtimes')

/**
 * The runtime of `component`, created with `options` on first use. Later callers get the same
 * runtime; a metrics recorder or tracing hooks they pass are plugged in, the other options of the
 * first caller stay.
 */
export function runtimeFor (component: object, options: RuntimeOptions = {}): SeldonRuntime {
  let runtime = runtimes.get(component)
  if (runtime === undefined) {
    runtime = new SeldonRuntime(component, options)
    runtimes.set(component, runtime)
  } else {
    if (options.metrics !== undefined) runtime.setMetricsRecorder(options.metrics)
    if (options.tracing !== undefined) runtime.setTracing(options.tracing)
  }
  return runtime
}
