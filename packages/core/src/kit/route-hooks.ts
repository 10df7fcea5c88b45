/**
 * Hooks given to one route from an `onRoute` hook (a route's own hooks, decided once when it is
 * added, instead of root hooks that ask on every request which route they are on): the admission
 * control of the CLI's workers and the route histogram of @fastify-seldon/metrics.
 */

/**
 * A route's hooks of one kind (one function, an array or nothing) with `hook` added last, as a new
 * array: the HEAD route Fastify adds beside a GET route is built from a copy of the GET's options
 * taken before the onRoute hooks ran, so it gets the hook once, in its own onRoute pass, never
 * twice through a shared array.
 */
export function withRouteHook<T> (hooks: T | readonly T[] | undefined, hook: T): T[] {
  if (hooks === undefined) return [hook]
  return Array.isArray(hooks) ? [...(hooks as readonly T[]), hook] : [hooks as T, hook]
}
