/**
 * A component's own error classes rendered its own way: the `errorHandlers` entries (the Python
 * wrapper's `model_error_handler`), checked once at registration, and the lookup of the entry for
 * a thrown error. The REST plugins render with them; @fastify-seldon/errors adds entries for a
 * whole scope under {@link ERROR_HANDLERS_DECORATOR}.
 */
import type { ErrorHandlerEntry } from '../component.js'
import { InvalidOptionError } from './errors.js'

/**
 * The decorator @fastify-seldon/errors puts on the host scope, read by the component plugins per
 * request (so registration order does not matter). A string, not a symbol: Fastify decorators are
 * named, and every installed copy of the packages agrees on a name.
 */
export const ERROR_HANDLERS_DECORATOR = 'seldonErrorHandlers'

/** A list of `{ error: Class, handle(err) }` entries, else InvalidOptionError naming `where`. */
export function validateErrorHandlers (list: unknown, where: string): ErrorHandlerEntry[] {
  if (!Array.isArray(list)) throw new InvalidOptionError(`${where} must be an array of { error, handle } entries`)
  list.forEach((entry: unknown, i) => {
    const e = entry as Partial<ErrorHandlerEntry> | null
    if (e === null || typeof e !== 'object' || typeof e.error !== 'function' || typeof e.handle !== 'function') {
      throw new InvalidOptionError(`${where}[${i}] must be { error: ErrorClass, handle (err) { return { statusCode, body } } }`)
    }
  })
  return list as ErrorHandlerEntry[]
}

/** The component's own error handlers (`errorHandlers`, or the Python spelling), checked once. */
export function componentErrorHandlers (component: object): ErrorHandlerEntry[] {
  const obj = component as { errorHandlers?: unknown, model_error_handlers?: unknown }
  const entries: ErrorHandlerEntry[] = []
  for (const [name, list] of [['errorHandlers', obj.errorHandlers], ['model_error_handlers', obj.model_error_handlers]] as const) {
    if (list === undefined) continue
    entries.push(...validateErrorHandlers(list, `component.${name}`))
  }
  return entries
}

/**
 * The handler for `error`: walk its class chain from the most derived class up and take the first
 * entry registered for that exact class; an entry whose class matches only through a custom
 * `Symbol.hasInstance` is the last resort.
 */
export function findErrorHandler (entries: readonly ErrorHandlerEntry[], error: unknown): ErrorHandlerEntry | undefined {
  if (entries.length === 0 || error === null || typeof error !== 'object') return undefined
  for (let proto = Object.getPrototypeOf(error); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const exact = entries.find(entry => entry.error.prototype === proto)
    if (exact !== undefined) return exact
  }
  return entries.find(entry => error instanceof entry.error)
}
