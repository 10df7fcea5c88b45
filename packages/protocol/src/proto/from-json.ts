/**
 * Strict proto3-JSON → message form, as Python's `json_format.ParseDict(value, Feedback())`
 * (protobuf 4.21) does it for the REST feedback route: unknown fields, wrong types, two members
 * of a oneof and out-of-range numbers are refused with ParseDict's wording; camelCase and
 * original field names are both accepted.
 *
 * The result is what decoding the parsed protobuf gives (decode(encode(x)) === x): protobuf's
 * number semantics (float fields rounded to float32, Value numbers are doubles and float-marked,
 * tensor values a Float64Array) and MessageToDict's omission of defaults.
 */
import { BadDataError, InvalidFeedbackError } from '../errors.js'
import { markFloat } from '../marks.js'
import { pyRepr } from '../py-repr.js'
import type { Feedback, JsonValue, SeldonMessage } from '../types.js'
import { setOwnKey } from '../own-key.js'
import { tensorProtoFromJson } from './tensorflow.js'

class ParseError extends Error {}

const MAX_DEPTH = 100
/** float32's largest finite value (Python's type_checkers._FLOAT_MAX). */
const FLOAT_MAX = 3.4028234663852886e38

interface Ctx { depth: number }

type Parse = (v: unknown, path: string, ctx: Ctx) => unknown

interface FieldSpec {
  name: string
  /** json_name; the original name is accepted too. */
  json: string
  kind: 'message' | 'scalar' | 'enum' | 'repeated' | 'map'
  oneof?: string
  /** google.protobuf.Value fields: JSON null is a null Value, not "unset". */
  isValue?: boolean
  /** Float fields print as floats: mark their container. */
  isFloat?: boolean
  parse: Parse
}

interface MessageSpec {
  fullName: string
  fields: FieldSpec[]
  lookup: Map<string, FieldSpec>
}

function message (fullName: string, fields: FieldSpec[]): MessageSpec {
  const lookup = new Map<string, FieldSpec>()
  for (const f of fields) { lookup.set(f.json, f); lookup.set(f.name, f) }
  return { fullName, fields, lookup }
}

function field (json: string, kind: FieldSpec['kind'], parse: Parse, extra: Partial<FieldSpec> = {}): FieldSpec {
  return { name: extra.name ?? json, json, kind, parse, ...extra }
}

// ---------------------------------------------------------------------------------------------
// texts

function repr (v: unknown): string {
  try {
    return pyRepr(v)
  } catch {
    return String(v)
  }
}

function pyType (v: unknown): string {
  if (v === null || v === undefined) return 'NoneType'
  if (typeof v === 'boolean') return 'bool'
  if (typeof v === 'bigint') return 'int'
  if (typeof v === 'number' || v instanceof Number) return Number.isInteger(v.valueOf()) && !(v instanceof Number) ? 'int' : 'float'
  if (typeof v === 'string') return 'str'
  if (Array.isArray(v)) return 'list'
  return 'dict'
}

function isPlainObject (v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}

// ---------------------------------------------------------------------------------------------
// the field loop (json_format's _ConvertFieldValuePair)

function isDefault (f: FieldSpec, v: unknown): boolean {
  switch (f.kind) {
    case 'message': return false
    case 'enum': return v === 0
    case 'repeated': return (v as ArrayLike<unknown>).length === 0
    case 'map': return Object.keys(v as object).length === 0
    default: return v === '' || Object.is(v, 0) || v === false || (v instanceof Uint8Array && v.length === 0)
  }
}

function parseMessage (js: unknown, spec: MessageSpec, path: string, ctx: Ctx): Record<string, unknown> {
  if (++ctx.depth > MAX_DEPTH) throw new ParseError(`Message too deep. Max recursion depth is ${MAX_DEPTH}`)
  if (!isPlainObject(js)) {
    throw new ParseError(`Message type "${spec.fullName}" must be a JSON object at "${path}", got ${pyType(js)}: ${repr(js)}`)
  }
  const out: Record<string, unknown> = {}
  const seen = new Set<string>()
  const active = new Map<string, string>()
  for (const key of Object.keys(js)) {
    const f = spec.lookup.get(key)
    try {
      if (f === undefined) {
        const available = `[${spec.fields.map((x) => `'${x.json}'`).join(', ')}]`
        throw new ParseError(`Message type "${spec.fullName}" has no field named "${key}" at "${path}".\n Available Fields(except extensions): "${available}"`)
      }
      if (seen.has(f.name)) throw new ParseError(`Message type "${spec.fullName}" should not have multiple "${key}" fields at "${path}".`)
      seen.add(f.name)
      const value = js[key]
      if (f.oneof !== undefined && value !== null && value !== undefined) {
        if (seen.has(`oneof:${f.oneof}`)) throw new ParseError(`Message type "${spec.fullName}" should not have multiple "${f.oneof}" oneof fields at "${path}".`)
        seen.add(`oneof:${f.oneof}`)
      }
      if (value === null || value === undefined) {
        if (f.isValue) set(out, f, null, active)
        else delete out[f.json]
        continue
      }
      set(out, f, f.parse(value, `${path}.${key}`, ctx), active)
    } catch (err) {
      // ParseDict names the field for errors below a plain field, not below a oneof member
      if (err instanceof ParseError && f !== undefined && f.oneof === undefined) {
        throw new ParseError(`Failed to parse ${key} field: ${err.message}.`)
      }
      throw err
    }
  }
  ctx.depth--
  return out
}

function set (out: Record<string, unknown>, f: FieldSpec, v: unknown, active: Map<string, string>): void {
  if (f.oneof !== undefined) {
    const previous = active.get(f.oneof)
    if (previous !== undefined && previous !== f.json) delete out[previous]
    active.set(f.oneof, f.json)
  } else if (isDefault(f, v)) {
    delete out[f.json]
    return
  }
  out[f.json] = v
  if ((f.isFloat || f.isValue) && typeof v === 'number') markFloat(out, f.json)
}

// ---------------------------------------------------------------------------------------------
// scalars (json_format's _ConvertScalarFieldValue, _ConvertInteger, _ConvertFloat)

function scalarError (message: string, path: string): ParseError {
  return new ParseError(`${message} at ${path}`)
}

const parseString: Parse = (v, path) => {
  if (typeof v !== 'string') throw scalarError(`${repr(v)} has type ${pyType(v)}, but expected one of: bytes, str`, path)
  return v
}

const parseBytes: Parse = (v, path) => {
  if (typeof v !== 'string') throw scalarError(`${repr(v)} has type ${pyType(v)}, but expected a base64 string`, path)
  // standard and URL-safe alphabets, padding optional (urlsafe_b64decode after re-padding)
  return Buffer.from(v, 'base64')
}

function parseInteger (v: unknown, path: string, min: number, max: number): number {
  let n: number
  if (typeof v === 'boolean') throw scalarError(`Bool value ${v ? 'True' : 'False'} is not acceptable for integer field`, path)
  if (typeof v === 'number' || v instanceof Number) {
    n = v.valueOf()
    if (!Number.isInteger(n)) throw scalarError(`Couldn't parse integer: ${repr(v)}`, path)
  } else if (typeof v === 'bigint') {
    if (v < BigInt(min) || v > BigInt(max)) throw scalarError(`Value out of range: ${v}`, path)
    return Number(v)
  } else if (typeof v === 'string') {
    if (v.includes(' ')) throw scalarError(`Couldn't parse integer: "${v}"`, path)
    if (!/^[+-]?\d+$/.test(v)) throw scalarError(`invalid literal for int() with base 10: '${v}'`, path)
    n = Number(v)
  } else {
    throw scalarError(`int() argument must be a string, a bytes-like object or a real number, not '${pyType(v)}'`, path)
  }
  if (n < min || n > max) throw scalarError(`Value out of range: ${v.toString()}`, path)
  return n
}

const parseInt32: Parse = (v, path) => parseInteger(v, path, -0x80000000, 0x7fffffff)

const FLOAT_TEXT = /^\s*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)\s*$/i

function parseFloating (v: unknown, path: string, float32: boolean): number {
  let n: number
  if (typeof v === 'number' || v instanceof Number) {
    n = v.valueOf()
    if (Number.isNaN(n)) throw scalarError('Couldn\'t parse NaN, use quoted "NaN" instead', path)
    if (!Number.isFinite(n)) throw scalarError('Couldn\'t parse Infinity or value too large, use quoted "Infinity" instead', path)
  } else if (typeof v === 'bigint') {
    n = Number(v)
  } else if (typeof v === 'boolean') {
    n = v ? 1 : 0 // Python's float(True)
  } else if (typeof v === 'string') {
    if (v === 'nan') throw scalarError('Couldn\'t parse float "nan", use "NaN" instead', path)
    if (v === 'NaN') n = NaN
    else if (v === 'Infinity') n = Infinity
    else if (v === '-Infinity') n = -Infinity
    else if (FLOAT_TEXT.test(v)) {
      const t = v.trim().toLowerCase().replace(/^([+-]?)inf(inity)?$/, '$1Infinity')
      n = /nan$/.test(t) ? NaN : Number(t)
    } else throw scalarError(`Couldn't parse float: ${v}`, path)
  } else {
    throw scalarError(`Couldn't parse float: ${repr(v)}`, path)
  }
  if (!float32) return n
  if (n > FLOAT_MAX && Number.isFinite(n)) throw scalarError('Float value too large', path)
  if (n < -FLOAT_MAX && Number.isFinite(n)) throw scalarError('Float value too small', path)
  return Math.fround(n)
}

const parseFloat32: Parse = (v, path) => parseFloating(v, path, true)

function enumParser (fullName: string, names: readonly string[]): Parse {
  return (v, path) => {
    if (typeof v === 'string') {
      const i = names.indexOf(v)
      if (i >= 0) return i === 0 ? 0 : v
    }
    // then as a number, as int(value) would
    let n: number
    if (typeof v === 'number' || v instanceof Number) n = Math.trunc(v.valueOf())
    else if (typeof v === 'boolean') n = v ? 1 : 0
    else if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) n = Number(v)
    else throw scalarError(`Invalid enum value ${typeof v === 'string' ? v : repr(v)} for enum type ${fullName}`, path)
    if (!Number.isFinite(n) || n < -0x80000000 || n > 0x7fffffff) throw scalarError(`Invalid enum value ${repr(v)} for enum type ${fullName}`, path)
    // proto3 enums are open: unknown numbers are kept
    return n === 0 ? 0 : names[n] ?? n
  }
}

// ---------------------------------------------------------------------------------------------
// repeated, map, message fields

function repeated (name: string, element: Parse): Parse {
  return (v, path, ctx) => {
    if (!Array.isArray(v)) throw new ParseError(`repeated field ${name} must be in [] which is ${repr(v)} at ${path}`)
    const out = new Array<unknown>(v.length)
    for (let i = 0; i < v.length; i++) {
      const item = v[i] as unknown
      if (item === null || item === undefined) throw new ParseError(`null is not allowed to be used as an element in a repeated field at ${path}[${i}]`)
      out[i] = element(item, `${path}[${i}]`, ctx)
    }
    return out
  }
}

function mapOf (name: string, value: Parse, floats = false): Parse {
  return (v, path, ctx) => {
    if (!isPlainObject(v)) throw new ParseError(`Map field ${name} must be in a dict which is ${repr(v)} at ${path}`)
    const out: Record<string, unknown> = {}
    if (floats) markFloat(out)
    for (const key of Object.keys(v)) {
      const item = v[key]
      if (item === undefined) continue
      setOwnKey(out, key, value(item, `${path}[${key}]`, ctx))
    }
    return out
  }
}

function sub (spec: () => MessageSpec): Parse {
  return (v, path, ctx) => parseMessage(v, spec(), path, ctx)
}

// ---------------------------------------------------------------------------------------------
// well-known types

/** google.protobuf.Value from any JSON value (null too). */
const parseValue: Parse = (v, path, ctx) => {
  if (v === null || v === undefined) return null
  switch (typeof v) {
    case 'boolean': case 'string': case 'number': return v
    case 'bigint': return Number(v)
  }
  if (v instanceof Number) return v.valueOf()
  if (Array.isArray(v)) return parseListValue(v, path, ctx)
  if (isPlainObject(v)) return parseStruct(v, path, ctx)
  throw new ParseError(`Value ${repr(v)} has unexpected type ${typeof v} at ${path}`)
}

const parseListValue: Parse = (v, path, ctx) => {
  if (!Array.isArray(v)) throw new ParseError(`ListValue must be in [] which is ${repr(v)} at ${path}`)
  if (++ctx.depth > MAX_DEPTH) throw new ParseError(`Message too deep. Max recursion depth is ${MAX_DEPTH}`)
  const out = new Array<JsonValue>(v.length)
  for (let i = 0; i < v.length; i++) out[i] = parseValue(v[i], `${path}[${i}]`, ctx) as JsonValue
  markFloat(out)
  ctx.depth--
  return out
}

const parseStruct: Parse = (v, path, ctx) => {
  if (!isPlainObject(v)) throw new ParseError(`Struct must be in a dict which is ${repr(v)} at ${path}`)
  if (++ctx.depth > MAX_DEPTH) throw new ParseError(`Message too deep. Max recursion depth is ${MAX_DEPTH}`)
  const out: Record<string, JsonValue> = {}
  for (const key of Object.keys(v)) {
    if (v[key] === undefined) continue
    setOwnKey(out, key, parseValue(v[key], `${path}.${key}`, ctx) as JsonValue)
  }
  markFloat(out)
  ctx.depth--
  return out
}

const parseAny: Parse = (v, path) => {
  if (!isPlainObject(v) || !('@type' in v)) throw new ParseError(`@type is missing when parsing any message at ${path}`)
  const typeUrl = v['@type']
  throw new ParseError(`Can not find message descriptor by type_url: ${typeof typeUrl === 'string' ? typeUrl : repr(typeUrl)} at ${path}`)
}

const parseTensorProto: Parse = (v, path) => {
  if (!isPlainObject(v)) throw new ParseError(`Message type "tensorflow.TensorProto" must be a JSON object at "${path}", got ${pyType(v)}: ${repr(v)}`)
  try {
    return tensorProtoFromJson(v)
  } catch (err) {
    throw new ParseError(`${(err as Error).message} at ${path}`)
  }
}

const parseDoubles: Parse = (v, path) => {
  if (!Array.isArray(v)) throw new ParseError(`repeated field values must be in [] which is ${repr(v)} at ${path}`)
  const out = new Float64Array(v.length)
  for (let i = 0; i < v.length; i++) {
    const item = v[i] as unknown
    if (item === null || item === undefined) throw new ParseError(`null is not allowed to be used as an element in a repeated field at ${path}[${i}]`)
    out[i] = typeof item === 'number' && Number.isFinite(item) ? item : parseFloating(item, `${path}[${i}]`, false)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// seldon.protos messages

const STATUS = message('seldon.protos.Status', [
  field('code', 'scalar', parseInt32),
  field('info', 'scalar', parseString),
  field('reason', 'scalar', parseString),
  field('status', 'enum', enumParser('seldon.protos.Status.StatusFlag', ['SUCCESS', 'FAILURE']))
])

const METRIC = message('seldon.protos.Metric', [
  field('key', 'scalar', parseString),
  field('type', 'enum', enumParser('seldon.protos.Metric.MetricType', ['COUNTER', 'GAUGE', 'TIMER'])),
  field('value', 'scalar', parseFloat32, { isFloat: true }),
  field('tags', 'map', mapOf('tags', parseString))
])

const META = message('seldon.protos.Meta', [
  field('puid', 'scalar', parseString),
  field('tags', 'map', mapOf('tags', parseValue, true)),
  field('routing', 'map', mapOf('routing', parseInt32)),
  field('requestPath', 'map', mapOf('requestPath', parseString)),
  field('metrics', 'repeated', repeated('metrics', sub(() => METRIC)))
])

const TENSOR = message('seldon.protos.Tensor', [
  field('shape', 'repeated', repeated('shape', parseInt32)),
  field('values', 'repeated', parseDoubles)
])

const DEFAULT_DATA = message('seldon.protos.DefaultData', [
  field('names', 'repeated', repeated('names', parseString)),
  field('tensor', 'message', sub(() => TENSOR), { oneof: 'data_oneof' }),
  field('ndarray', 'message', parseListValue, { oneof: 'data_oneof' }),
  field('tftensor', 'message', parseTensorProto, { oneof: 'data_oneof' })
])

const SELDON_MESSAGE: MessageSpec = message('seldon.protos.SeldonMessage', [
  field('status', 'message', sub(() => STATUS)),
  field('meta', 'message', sub(() => META)),
  field('data', 'message', sub(() => DEFAULT_DATA), { oneof: 'data_oneof' }),
  field('binData', 'scalar', parseBytes, { oneof: 'data_oneof' }),
  field('strData', 'scalar', parseString, { oneof: 'data_oneof' }),
  field('jsonData', 'message', parseValue, { oneof: 'data_oneof', isValue: true }),
  field('customData', 'message', parseAny, { oneof: 'data_oneof' })
])

const FEEDBACK = message('seldon.protos.Feedback', [
  field('request', 'message', sub(() => SELDON_MESSAGE)),
  field('response', 'message', sub(() => SELDON_MESSAGE)),
  field('reward', 'scalar', parseFloat32, { isFloat: true }),
  field('truth', 'message', sub(() => SELDON_MESSAGE))
])

const SELDON_MESSAGE_LIST = message('seldon.protos.SeldonMessageList', [
  field('seldonMessages', 'repeated', repeated('seldonMessages', sub(() => SELDON_MESSAGE)))
])

/**
 * A REST-parsed JSON value as `seldon.protos.Feedback`, strictly (ParseDict). Any problem is an
 * InvalidFeedbackError, whose text is `Invalid JSON: ` and ParseDict's message.
 */
export function feedbackFromJson (value: unknown): Feedback {
  try {
    return parseMessage(value, FEEDBACK, 'Feedback', { depth: 0 }) as Feedback
  } catch (err) {
    if (err instanceof ParseError) throw new InvalidFeedbackError(err.message)
    throw err
  }
}

/** A JSON value as `seldon.protos.SeldonMessage`, strictly (ParseDict); problems are BadDataErrors. */
export function messageFromJson (value: unknown): SeldonMessage {
  try {
    return parseMessage(value, SELDON_MESSAGE, 'SeldonMessage', { depth: 0 }) as SeldonMessage
  } catch (err) {
    if (err instanceof ParseError) throw new BadDataError(err.message)
    throw err
  }
}

/** A JSON value as `seldon.protos.SeldonMessageList` (`{"seldonMessages": [...]}`), strictly. */
export function messageListFromJson (value: unknown): { seldonMessages: SeldonMessage[] } {
  try {
    const out = parseMessage(value, SELDON_MESSAGE_LIST, 'SeldonMessageList', { depth: 0 }) as { seldonMessages?: SeldonMessage[] }
    return { seldonMessages: out.seldonMessages ?? [] }
  } catch (err) {
    if (err instanceof ParseError) throw new BadDataError(err.message)
    throw err
  }
}
