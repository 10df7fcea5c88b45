/**
 * PREDICTIVE_UNIT_PARAMETERS / --parameters: the JSON list of `{ name, value, type }` given to the
 * component's constructor, each value converted as the Python wrapper converts it (seldon-core
 * v1.18.2 python/seldon_core/microservice.py; docs/wrapper-behaviour.md, "Start-up and the command
 * line"), plus a JSON type of our own.
 */
import { BadParameterError } from '@fastify-seldon/protocol'
import { setOwnKey } from '@fastify-seldon/protocol/internal'

export const PARAMETER_TYPES = ['INT', 'FLOAT', 'DOUBLE', 'STRING', 'BOOL', 'JSON'] as const

const DIGITS = String.raw`\d(?:_?\d)*`
/** Python's int(): optional sign and surrounding whitespace, digits with single underscores. */
const PY_INT = new RegExp(`^[+-]?${DIGITS}$`)
/** Python's float(): decimal and exponent forms, inf/infinity/nan. */
const PY_FLOAT = new RegExp(`^[+-]?(?:(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:[eE][+-]?${DIGITS})?|inf|infinity|nan)$`, 'i')
const TRUE_WORDS = new Set(['y', 'yes', 't', 'true', 'on', '1'])
const FALSE_WORDS = new Set(['n', 'no', 'f', 'false', 'off', '0'])

function display (value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value)
}

function convert (name: string, value: unknown, type: string): unknown {
  const fail = (): never => {
    throw new BadParameterError(`Bad model parameter: ${name} with value ${display(value)} can't be parsed as a ${type}`)
  }
  if (type === 'JSON') {
    if (typeof value !== 'string') return value
    try { return JSON.parse(value) } catch { return fail() }
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return fail()
  const text = String(value)
  switch (type) {
    case 'STRING':
      return text
    case 'INT': {
      const t = text.trim()
      if (!PY_INT.test(t)) return fail()
      const big = BigInt(t.replace(/_/g, ''))
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
    }
    case 'FLOAT':
    case 'DOUBLE': {
      const t = text.trim()
      if (!PY_FLOAT.test(t)) return fail()
      const lower = t.toLowerCase().replace(/^[+-]/, '')
      const negative = t.startsWith('-')
      if (lower === 'nan') return NaN
      if (lower === 'inf' || lower === 'infinity') return negative ? -Infinity : Infinity
      return Number(t.replace(/_/g, ''))
    }
    case 'BOOL': {
      const t = text.trim().toLowerCase()
      if (TRUE_WORDS.has(t)) return true
      if (FALSE_WORDS.has(t)) return false
      return fail()
    }
    default:
      throw new BadParameterError(`Bad model parameter type: ${type} valid are ${PARAMETER_TYPES.join(', ')}`)
  }
}

/**
 * PREDICTIVE_UNIT_PARAMETERS → the constructor's parameters object. Names become own properties
 * (setOwnKey), so `__proto__`, `constructor` or `prototype` are plain keys and never reach a
 * prototype.
 */
export function parseParameters (text: string): Record<string, unknown> {
  let list: unknown
  try {
    list = JSON.parse(text)
  } catch (err) {
    throw new BadParameterError(`Bad model parameters: not JSON (${(err as Error).message}); expected a list of {"name", "value", "type"}`)
  }
  if (!Array.isArray(list)) {
    throw new BadParameterError(`Bad model parameters: expected a JSON list of {"name", "value", "type"}, got ${display(list)}`)
  }
  const params: Record<string, unknown> = {}
  list.forEach((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new BadParameterError(`Bad model parameters: entry ${i} must be an object {"name", "value", "type"}, got ${display(entry)}`)
    }
    const { name, value, type } = entry as Record<string, unknown>
    if (typeof name !== 'string' || name === '') {
      throw new BadParameterError(`Bad model parameters: entry ${i} needs a "name" string, got ${display(entry)}`)
    }
    if (typeof type !== 'string') {
      throw new BadParameterError(`Bad model parameter type: ${display(type)} valid are ${PARAMETER_TYPES.join(', ')}`)
    }
    if (!Object.hasOwn(entry, 'value')) {
      throw new BadParameterError(`Bad model parameters: entry ${i} (${name}) needs a "value"`)
    }
    setOwnKey(params, name, convert(name, value, type))
  })
  return params
}
