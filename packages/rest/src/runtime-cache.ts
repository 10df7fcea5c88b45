/**
 * One SeldonRuntime per component object: several plugins mounted for the same component (a model
 * plus its feedback routes, an input plus an output transformer, or REST plus gRPC) share its
 * method table, its load() and its state, as the reference's single Python object does.
 */
import { SeldonRuntime, runtimeOptionsFromEnv, type RuntimeOptions } from '@fastify-seldon/core'

const runtimes = new WeakMap<object, SeldonRuntime>()

/**
 * The runtime of `component`, created with `options` on first use (default: the environment
 * contract). Later callers get the same runtime; a metrics recorder they pass is plugged in, the
 * other options of the first caller stay.
 */
export function runtimeFor (component: object, options: RuntimeOptions = runtimeOptionsFromEnv(process.env)): SeldonRuntime {
  let runtime = runtimes.get(component)
  if (runtime === undefined) {
    runtime = new SeldonRuntime(component, options)
    runtimes.set(component, runtime)
  } else if (options.metrics !== undefined) {
    runtime.setMetricsRecorder(options.metrics)
  }
  return runtime
}
