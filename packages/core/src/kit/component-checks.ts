/**
 * The checks a plugin runs on its `component` option at registration: a bad component fails
 * `app.register(...)` with SELDON_ERR_INVALID_COMPONENT, never a request.
 */
import { endpointSpellings, type PayloadEndpoint } from '../endpoints.js'
import { implementsEndpoint, resolveMethods } from '../methods.js'
import { isComponentModule } from '../pool/module-ref.js'
import { InvalidComponentError } from './errors.js'

/** The component must be an object (an instance of the user's class). */
export function assertComponent (component: unknown): asserts component is object {
  if (component === null || typeof component !== 'object') {
    throw new InvalidComponentError('option component must be an object (an instance of your class)')
  }
}

/**
 * The component must have a method for one of `endpoints`, under any spelling of the endpoint
 * table: `requireMethod(c, 'router', 'route')` accepts `route`, `routeRaw` or `route_raw`, and
 * names them all when none is there.
 */
export function requireMethod (component: unknown, kind: string, endpoints: PayloadEndpoint | readonly PayloadEndpoint[]): void {
  assertComponent(component)
  // A module reference is built in the inference threads; its methods are known once they load it.
  if (isComponentModule(component)) return
  const list: readonly PayloadEndpoint[] = typeof endpoints === 'string' ? [endpoints] : endpoints
  const methods = resolveMethods(component)
  if (list.some(endpoint => implementsEndpoint(methods, endpoint))) return
  const [first, ...others] = list.flatMap(endpointSpellings)
  throw new InvalidComponentError(`a ${kind} component needs a ${first ?? ''}() method (or ${others.join(' / ')})`)
}
