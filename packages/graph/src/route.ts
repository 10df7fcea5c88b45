/**
 * Reading a router's choice, and checking it. The executor reads the first number of the router's
 * answer (seldon-core v1.18.2 executor/api/util/utils.go `ExtractRouteFromSeldonMessage`):
 * `data.ndarray` → its first element (the first of a nested list), `data.tensor` → its first value,
 * `data.tftensor` → its first value, a `data` with none of them → -1 (all children); over REST a
 * bare JSON array `[1]` is read too.
 *
 * Where the executor crashes or guesses, we answer a clear 500 naming the router
 * (COMPATIBILITY.md E-1, E-2): an empty array or an answer without `data` (a panic there), a route
 * out of range (a panic), a fractional number (truncated there), a non-number (read as 0 there).
 * A boolean counts as 0/1, as Python's `int(True)`.
 */
import { JsonFloat, NDArray, decodeTfTensor, type TensorProto } from '@fastify-seldon/protocol'
import { BadRouteError, GraphBadRequestError } from './errors.js'

/** All children (-1), none (-2: the node's input goes on as its output), or one child's index. */
export const ROUTE_ALL = -1
export const ROUTE_NONE = -2

function isObject (value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

const EMPTY = Symbol('empty')

function first (list: unknown): unknown {
  if (list instanceof NDArray) return list.size > 0 ? list.data[0] : EMPTY
  if (ArrayBuffer.isView(list)) return (list as unknown as ArrayLike<unknown>).length > 0 ? (list as unknown as ArrayLike<unknown>)[0] : EMPTY
  if (!Array.isArray(list)) return list
  let v: unknown = list
  while (Array.isArray(v)) {
    if (v.length === 0) return EMPTY
    v = v[0]
  }
  return v
}

/** The raw value a router answered, before checks; `undefined` when the answer has no usable data. */
function routeValue (answer: unknown): unknown {
  if (Array.isArray(answer)) return first(answer)
  if (!isObject(answer)) return undefined
  const data = answer.data
  if (!isObject(data)) return undefined
  if (data.ndarray !== undefined && data.ndarray !== null) return first(data.ndarray)
  if (isObject(data.tensor)) return first(data.tensor.values ?? [])
  if (isObject(data.tftensor)) {
    const array = decodeTfTensor(data.tftensor as TensorProto)
    return array.size > 0 ? array.data[0] : EMPTY
  }
  return ROUTE_ALL
}

function asNumber (value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (value instanceof JsonFloat) return value.valueOf()
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'boolean') return value ? 1 : 0
  return undefined
}

function describe (value: unknown): string {
  if (value === EMPTY) return 'an empty list'
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === null) return 'null'
  if (typeof value === 'object') return 'a nested value'
  return String(value)
}

/** The child index a router (or RANDOM_ABTEST) chose, checked against the node's children. */
export function checkRoute (node: string, route: number, children: number): number {
  if (route === ROUTE_ALL || route === ROUTE_NONE || (route >= 0 && route < children)) return route
  throw new BadRouteError(`Router ${node} returned route ${route}, but it has ${children} ${children === 1 ? 'child' : 'children'} (valid: -2 none, -1 all, 0..${children - 1})`)
}

/** The route in a router's answer (the message form of either transport), checked. */
export function extractRoute (node: string, answer: unknown, children: number): number {
  const value = routeValue(answer)
  if (value === undefined) throw new BadRouteError(`Router ${node} answered without data: a route must be data.ndarray, data.tensor or data.tftensor holding the child index`)
  const n = asNumber(value)
  if (n === undefined) throw new BadRouteError(`Router ${node} answered ${describe(value)} where the route (a child index) was expected`)
  if (!Number.isInteger(n)) throw new BadRouteError(`Router ${node} returned route ${n}, which is not an integer`)
  return checkRoute(node, n, children)
}

/**
 * The route a feedback message says a node took: `response.meta.routing[node]` (-1 when absent,
 * as the executor reads it). A value that cannot be a route of this node is the client's mistake.
 */
export function feedbackRoute (node: string, feedback: unknown, children: number): number {
  const response = isObject(feedback) ? feedback.response : undefined
  const meta = isObject(response) ? response.meta : undefined
  const routing = isObject(meta) ? meta.routing : undefined
  if (!isObject(routing) || !Object.hasOwn(routing, node)) return ROUTE_ALL
  const n = asNumber(routing[node])
  if (n === undefined || !Number.isInteger(n) || n < ROUTE_NONE || n >= children) {
    throw new GraphBadRequestError(`Feedback response.meta.routing.${node} is ${describe(routing[node])}, but node ${node} has ${children} ${children === 1 ? 'child' : 'children'} (valid: -2 none, -1 all, 0..${children - 1})`)
  }
  return n
}
