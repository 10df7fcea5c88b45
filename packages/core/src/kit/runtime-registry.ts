/**
 * One SeldonRuntime per component object: several plugins mounted for the same component (a model
 * plus its feedback routes, an input plus an output transformer, or REST plus gRPC) share its
 * method table, its load() and its state, as the Python wrapper's single user object does. The
 * registry is shared by every installed copy of the packages (registry.ts).
 */
import { isComponentModule } from '../pool/module-ref.js'
import { PooledRuntime } from '../pool/pooled-runtime.js'
import { SeldonRuntime, type RuntimeOptions } from '../runtime.js'
import { InvalidComponentError } from './errors.js'
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
    runtime = create(component, options)
    runtimes.set(component, runtime)
  } else {
    if (options.metrics !== undefined) runtime.setMetricsRecorder(options.metrics)
    if (options.tracing !== undefined) runtime.setTracing(options.tracing)
  }
  return runtime
}

/** The runtime a component needs: on the event loop for an instance, in inference threads for a module reference. */
function create (component: object, options: RuntimeOptions): SeldonRuntime {
  const threads = options.threads ?? 0
  if (isComponentModule(component)) {
    if (threads < 1) {
      throw new InvalidComponentError('a component given as { module, export?, parameters? } is built in inference threads: set option threads to 1 or more (or give an instance of your class)')
    }
    return new PooledRuntime(component, threads, options)
  }
  if (threads > 0) {
    throw new InvalidComponentError(`option threads: ${threads} builds the component in each inference thread from its module, and an instance cannot move to another thread (its methods and state belong to the thread that made it): give component as { module: new URL('./model.js', import.meta.url), export?, parameters? }`)
  }
  return new SeldonRuntime(component, options)
}
