/**
 * Finding a component's methods once, at start-up: each method under its spellings, camelCase
 * first (the table is METHOD_SPELLINGS in endpoints.ts; the precedence between a raw and a
 * high-level method is the runtime's, docs/dispatch.md). Nothing is looked up per request.
 */
import { NotImplementedError } from './component.js'
import { ENDPOINTS, METHOD_SPELLINGS, type Endpoint, type MethodSlot } from './endpoints.js'

type AnyFn = (...args: any[]) => unknown

/** A component's methods, bound, by slot; absent when the component has none under any spelling. */
export type MethodTable = Partial<Record<MethodSlot, AnyFn>> & {
  /** A `classNames` / `class_names` property holding a list rather than a method. */
  classNamesList?: string[]
}

export function resolveMethods (component: object): MethodTable {
  const table: MethodTable = {}
  const obj = component as Record<string, unknown>
  for (const [slot, names] of Object.entries(METHOD_SPELLINGS) as Array<[MethodSlot, readonly string[]]>) {
    for (const name of names) {
      const candidate = obj[name]
      if (typeof candidate === 'function') {
        table[slot] = (candidate as AnyFn).bind(component)
        break
      }
    }
  }
  for (const name of METHOD_SPELLINGS.classNames) {
    const value = obj[name]
    if (Array.isArray(value)) { table.classNamesList = value.map(String); break }
  }
  return table
}

/** Whether the component has a method for `endpoint` (raw or high-level, any spelling). */
export function implementsEndpoint (methods: MethodTable, endpoint: Endpoint): boolean {
  return ENDPOINTS[endpoint].methods.some(slot => methods[slot] !== undefined)
}

/** Marker for "the method said it is not implemented": fall through to the next candidate. */
export const NOT_IMPLEMENTED: unique symbol = Symbol('not implemented')

/** Call a user method (sync or async); NotImplementedError becomes the NOT_IMPLEMENTED marker. */
export async function callUser (fn: AnyFn, args: unknown[]): Promise<unknown> {
  try {
    return await fn(...args)
  } catch (err) {
    if (err instanceof NotImplementedError) return NOT_IMPLEMENTED
    throw err
  }
}

/** A value with a callable `then` (what `await` would adopt). */
export function isThenable (value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
}

function notImplementedOrThrow (err: unknown): unknown {
  if (err instanceof NotImplementedError) return NOT_IMPLEMENTED
  throw err
}

/**
 * {@link callUser} without the promise when the method is synchronous: a plain result comes back
 * as is, on the same tick; a thenable result comes back as a promise of the settled value. Either
 * way NotImplementedError (thrown or rejected) becomes NOT_IMPLEMENTED and other errors propagate
 * (thrown for a synchronous method, rejected for an asynchronous one).
 */
export function invokeUser (fn: AnyFn, args: unknown[]): unknown {
  let value: unknown
  try {
    value = fn(...args)
  } catch (err) {
    return notImplementedOrThrow(err)
  }
  return isThenable(value) ? Promise.resolve(value).then(undefined, notImplementedOrThrow) : value
}

/**
 * `next(value)` now when `value` is plain, or once it settles when it is a thenable: a step of a
 * dispatch that stays synchronous while every user method it calls is.
 */
export function andThen<T, R> (value: T | PromiseLike<T>, next: (settled: T) => R | Promise<R>): R | Promise<R> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value as T)
}
