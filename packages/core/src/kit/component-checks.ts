/**
 * The checks a plugin runs on its `component` option at registration: a bad component fails
 * `app.register(...)` with SELDON_ERR_INVALID_COMPONENT, never a request.
 */
import { InvalidComponentError } from './errors.js'

/** The component must be an object (an instance of the user's class). */
export function assertComponent (component: unknown): asserts component is object {
  if (component === null || typeof component !== 'object') {
    throw new InvalidComponentError('option component must be an object (an instance of your class)')
  }
}

/**
 * The kind's method must exist under one of its spellings, e.g.
 * `requireMethod(c, 'router', 'route', ['route', 'routeRaw', 'route_raw'])`.
 */
export function requireMethod (component: unknown, kind: string, method: string, spellings: readonly string[]): void {
  assertComponent(component)
  const obj = component as Record<string, unknown>
  if (!spellings.some(name => typeof obj[name] === 'function')) {
    throw new InvalidComponentError(`a ${kind} component needs a ${method}() method (or ${spellings.filter(s => s !== method).join(' / ')})`)
  }
}
