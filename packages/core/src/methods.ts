/**
 * Finding a component's methods once, at start-up: each endpoint's candidates in the reference's
 * order of precedence (section 4.2), camelCase first then the Python spelling. Nothing is looked
 * up per request.
 */
import { NotImplementedError } from './component.js'

type AnyFn = (...args: any[]) => unknown

export interface MethodTable {
  predictRaw?: AnyFn
  predict?: AnyFn
  transformInputRaw?: AnyFn
  transformInput?: AnyFn
  transformOutputRaw?: AnyFn
  transformOutput?: AnyFn
  routeRaw?: AnyFn
  route?: AnyFn
  aggregateRaw?: AnyFn
  aggregate?: AnyFn
  sendFeedbackRaw?: AnyFn
  sendFeedback?: AnyFn
  healthStatusRaw?: AnyFn
  healthStatus?: AnyFn
  classNames?: AnyFn
  /** A `classNames` / `class_names` property holding a list rather than a method. */
  classNamesList?: string[]
  tags?: AnyFn
  metrics?: AnyFn
  initMetadata?: AnyFn
  load?: AnyFn
}

const SPELLINGS: Record<keyof Omit<MethodTable, 'classNamesList'>, string[]> = {
  predictRaw: ['predictRaw', 'predict_raw'],
  predict: ['predict'],
  transformInputRaw: ['transformInputRaw', 'transform_input_raw'],
  transformInput: ['transformInput', 'transform_input'],
  transformOutputRaw: ['transformOutputRaw', 'transform_output_raw'],
  transformOutput: ['transformOutput', 'transform_output'],
  routeRaw: ['routeRaw', 'route_raw'],
  route: ['route'],
  aggregateRaw: ['aggregateRaw', 'aggregate_raw'],
  aggregate: ['aggregate'],
  sendFeedbackRaw: ['sendFeedbackRaw', 'send_feedback_raw'],
  sendFeedback: ['sendFeedback', 'send_feedback'],
  healthStatusRaw: ['healthStatusRaw', 'health_status_raw'],
  healthStatus: ['healthStatus', 'health_status'],
  classNames: ['classNames', 'class_names'],
  tags: ['tags'],
  metrics: ['metrics'],
  initMetadata: ['initMetadata', 'init_metadata'],
  load: ['load']
}

export function resolveMethods (component: object): MethodTable {
  const table: MethodTable = {}
  const obj = component as Record<string, unknown>
  for (const [slot, names] of Object.entries(SPELLINGS) as Array<[keyof typeof SPELLINGS, string[]]>) {
    for (const name of names) {
      const candidate = obj[name]
      if (typeof candidate === 'function') {
        table[slot] = (candidate as AnyFn).bind(component)
        break
      }
    }
  }
  for (const name of ['classNames', 'class_names']) {
    const value = obj[name]
    if (Array.isArray(value)) { table.classNamesList = value.map(String); break }
  }
  return table
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
