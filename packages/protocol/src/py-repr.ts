/**
 * Python's repr() and str() of message-form values, for error texts that must read exactly as the
 * Python wrapper's (`Invalid request data type: {'data': {'ndarray': [[1.0, 2.0]]}}`; see
 * docs/wire-format.md, "Errors").
 */
import { FloatMarkSlot, JsonFloat, insertionOrder } from './marks.js'
import { ELEMENT_BOOL, ELEMENT_FLOAT, NDArray, elementKind } from './ndarray.js'
import { pyFloat } from './py-number.js'

/**
 * Python's repr() of a parsed JSON value, as it appears in
 * `Invalid request data type: {'data': {'ndarray': [[1.0, 2.0]]}}`: keys in insertion order (for
 * parsed objects the text's order, even for integer-like keys that JS itself lists first), `', '`
 * and `': '`, single-quoted strings with Python's escapes, True/False/None, floats per their
 * marks, nan/inf. Typed arrays and NDArrays print as lists; a Buffer/Uint8Array as a bytes literal.
 *
 * Which characters repr() escapes as unprintable follows the Unicode tables of the running Node
 * (Unicode 15+); CPython 3.11 has Unicode 14, so a character assigned since then prints raw here
 * and as `\U...` there.
 */
export function pyRepr (value: unknown): string {
  return reprValue(value, false, [])
}

/** Python's str() of a value a user returned (`None`, `True`, `1.5`, `hello`), for error texts. */
export function pyStr (value: unknown): string {
  switch (typeof value) {
    case 'string': return value
    case 'undefined': return 'None'
    case 'function': case 'symbol': return String(value)
    default: return pyRepr(value)
  }
}

function reprValue (v: unknown, asFloat: boolean, seen: object[]): string {
  switch (typeof v) {
    case 'string': return pyQuote(v)
    case 'number': return asFloat || v % 1 !== 0 || v > Number.MAX_SAFE_INTEGER || v < -Number.MAX_SAFE_INTEGER ? pyFloat(v) : '' + v
    case 'boolean': return v ? 'True' : 'False'
    case 'bigint': return v.toString()
    case 'undefined': return 'None'
    case 'object': break
    default: return String(v)
  }
  if (v === null) return 'None'
  if (v instanceof JsonFloat) return pyFloat(v.valueOf())
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return reprValue(v.valueOf(), asFloat, seen)
  if (v instanceof Uint8Array) return pyBytes(v)
  if (seen.includes(v)) return Array.isArray(v) ? '[...]' : '{...}'
  seen.push(v)
  let out: string
  if (Array.isArray(v)) {
    const marks = FloatMarkSlot.get(v)
    out = '['
    for (let i = 0; i < v.length; i++) {
      if (i !== 0) out += ', '
      out += reprValue(v[i], marks === true || (marks !== undefined && marks.has(i)), seen)
    }
    out += ']'
  } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const floats = v instanceof Float64Array || v instanceof Float32Array
    out = '[' + Array.from(v as unknown as ArrayLike<number | bigint>, (x) => reprValue(x, floats, seen)).join(', ') + ']'
  } else if (v instanceof NDArray) {
    out = reprNDArray(v, seen)
  } else if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    out = reprValue((v as { toJSON: () => unknown }).toJSON(), false, seen)
  } else {
    const marks = FloatMarkSlot.get(v)
    const record = v as Record<string, unknown>
    out = '{'
    for (const key of insertionOrder(v)) {
      const x = record[key]
      if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue
      if (out.length > 1) out += ', '
      out += pyQuote(key) + ': ' + reprValue(x, marks === true || (marks !== undefined && marks.has(key)), seen)
    }
    out += '}'
  }
  seen.pop()
  return out
}

function reprNDArray (a: NDArray, seen: object[]): string {
  const { data, shape } = a
  const kind = elementKind(a)
  const element = (i: number): string => {
    const x = data[i]
    if (kind === ELEMENT_BOOL) return x === true || (typeof x === 'number' && x !== 0) ? 'True' : 'False'
    return reprValue(x, kind === ELEMENT_FLOAT, seen)
  }
  if (shape.length === 0) return element(0)
  let offset = 0
  const dim = (d: number): string => {
    const n = shape[d] as number
    const parts = new Array<string>(n)
    for (let i = 0; i < n; i++) parts[i] = d === shape.length - 1 ? element(offset++) : dim(d + 1)
    return '[' + parts.join(', ') + ']'
  }
  return dim(0)
}

/** Characters Python's repr() escapes beyond ASCII: categories Other (C*) and Separator (Z*). */
const NOT_PRINTABLE = /[\p{C}\p{Z}]/u

/** Python's repr() of a str: single quotes unless the text has `'` and no `"`. */
function pyQuote (s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const c = ch.codePointAt(0) as number
    if (c >= 32 && c < 127) {
      out += ch === quote || ch === '\\' ? '\\' + ch : ch
    } else if (c === 9) {
      out += '\\t'
    } else if (c === 10) {
      out += '\\n'
    } else if (c === 13) {
      out += '\\r'
    } else if (c < 0xa0 || (NOT_PRINTABLE.test(ch))) {
      out += c < 0x100 ? '\\x' + c.toString(16).padStart(2, '0') : c < 0x10000 ? '\\u' + c.toString(16).padStart(4, '0') : '\\U' + c.toString(16).padStart(8, '0')
    } else {
      out += ch
    }
  }
  return out + quote
}

/** Python's repr() of bytes: `b'...'` with \xNN for anything outside printable ASCII. */
function pyBytes (b: Uint8Array): string {
  let hasSingle = false
  let hasDouble = false
  for (const c of b) { if (c === 39) hasSingle = true; else if (c === 34) hasDouble = true }
  const quote = hasSingle && !hasDouble ? 34 : 39
  let out = 'b' + String.fromCharCode(quote)
  for (const c of b) {
    if (c === quote || c === 92) out += '\\' + String.fromCharCode(c)
    else if (c === 9) out += '\\t'
    else if (c === 10) out += '\\n'
    else if (c === 13) out += '\\r'
    else if (c < 32 || c >= 127) out += '\\x' + c.toString(16).padStart(2, '0')
    else out += String.fromCharCode(c)
  }
  return out + String.fromCharCode(quote)
}
