/**
 * Message form → JSON text, byte for byte as the Python wrapper writes it (docs/wire-format.md,
 * "Writing JSON"): `json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=True)`, which
 * is what Flask's jsonify sends. Understands the message form's stand-ins: float marks and
 * JsonFloat (marks.ts), typed arrays, NDArray, Uint8Array (base64) and bigint.
 *
 * Speed: bulk floats (tensor values, ndarray rows, plain arrays of fractional rows) are printed
 * straight into bytes (json-float-run.ts); the rest through the code below.
 * Checked against CPython 3.11 byte for byte (test/json-golden.test.ts).
 */
import { printFloatBlock, printFloatRows, printFloatRun } from './json-float-run.js'
import { quoteJsonString } from './json-string.js'
import { FloatMarkSlot, JsonFloat } from './marks.js'
import { ELEMENT_BOOL, ELEMENT_FLOAT, ELEMENT_INT, NDArray, elementKind, type TypedNumberArray } from './ndarray.js'
import { formatFloat, formatInt, formatNumber } from './py-number.js'

export interface StringifyOptions {
  /**
   * Print every plain number as a float (the proto-JSON rendering, where every number is a
   * double). Integer typed arrays, integer-dtype NDArrays and bigints still print as integers.
   */
  allFloats?: boolean
}

// Encoder state, saved and restored around each call so that a toJSON calling back is safe.
let allFloats = false
/** Containers being written, for cycle detection (checked only past CYCLE_CHECK_DEPTH). */
const ancestors: object[] = []
let encodeDepth = 0
const CYCLE_CHECK_DEPTH = 100

/**
 * Serialise like the Python wrapper: Python's `json.dumps(obj, sort_keys=True, separators=(',', ':'),
 * ensure_ascii=True)`, which is what Flask's jsonify writes, without its trailing newline (see
 * {@link jsonResponseText}).
 *
 *   - numbers: integral values print as ints unless float-marked, boxed in {@link JsonFloat} or
 *     `options.allFloats`; others as Python's float repr ({@link formatFloat}); bigint as digits;
 *   - Float64Array/Float32Array print as arrays of floats (float32 widened: 0.1f is
 *     0.10000000149011612), the other typed arrays as arrays of ints;
 *   - Buffer and plain Uint8Array print as a base64 string (they stand for proto `bytes`): wrap
 *     numeric uint8 data in an {@link NDArray} to print it as numbers;
 *   - NDArray prints as nested arrays of its shape, by dtype (floats, ints, booleans, values);
 *   - objects: keys sorted by code point (as Python sorts str), undefined/function/symbol values
 *     skipped, `toJSON` honoured; in arrays those values print as `null`, as JSON.stringify does.
 *
 * Throws `Circular reference detected` (Python's ValueError text) on a cycle.
 */
export function stringifyJson (value: unknown, options: StringifyOptions = {}): string {
  const savedAllFloats = allFloats
  const savedDepth = encodeDepth
  allFloats = options.allFloats === true
  try {
    return encodeValue(value, '') ?? 'null'
  } finally {
    allFloats = savedAllFloats
    encodeDepth = savedDepth
    ancestors.length = savedDepth
  }
}

/** The body Flask's jsonify sends: {@link stringifyJson} plus a newline. */
export function jsonResponseText (value: unknown, options?: StringifyOptions): string {
  return stringifyJson(value, options) + '\n'
}

/** One value; undefined when it has no JSON form (undefined, a function, a symbol). */
function encodeValue (v: unknown, key: string | number): string | undefined {
  switch (typeof v) {
    case 'string': return quoteJsonString(v)
    case 'number': return allFloats ? formatFloat(v) : formatNumber(v)
    case 'boolean': return v ? 'true' : 'false'
    case 'bigint': return v.toString()
    case 'object':
      if (v === null) return 'null'
      if (Array.isArray(v)) return encodeArray(v)
      return encodeOtherObject(v, key)
    default: return undefined
  }
}

function encodeOtherObject (v: object, key: string | number, callToJSON = true): string | undefined {
  // A plain object (the message envelopes) skips the class checks below: none of them can match.
  const proto = Object.getPrototypeOf(v)
  if ((proto === Object.prototype || proto === null) && (!callToJSON || typeof (v as { toJSON?: unknown }).toJSON !== 'function')) {
    return encodeObject(v)
  }
  if (v instanceof JsonFloat) return formatFloat(v.valueOf())
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return encodeTypedArray(v as TypedArray)
  if (v instanceof NDArray) return encodeNDArray(v)
  if (v instanceof Number) return encodeValue(v.valueOf(), key)
  if (v instanceof String) return quoteJsonString(v.valueOf())
  if (v instanceof Boolean) return v.valueOf() ? 'true' : 'false'
  const toJSON = (v as { toJSON?: unknown }).toJSON
  if (callToJSON && typeof toJSON === 'function') {
    const replaced: unknown = toJSON.call(v, String(key))
    // As JSON.stringify: the replacement is written as is, its own toJSON is not called again.
    return typeof replaced === 'object' && replaced !== null && !Array.isArray(replaced)
      ? encodeOtherObject(replaced, key, false)
      : encodeValue(replaced, key)
  }
  return encodeObject(v)
}

function enter (container: object): void {
  if (encodeDepth >= CYCLE_CHECK_DEPTH) {
    // Deep enough to be worth a look; a cycle repeats, so it is caught soon after this depth.
    for (let i = 0; i < encodeDepth; i++) if (ancestors[i] === container) throw new Error('Circular reference detected')
  }
  ancestors[encodeDepth++] = container
}

function encodeArray (arr: readonly unknown[]): string {
  const n = arr.length
  if (n === 0) return '[]'
  enter(arr)
  const marks = FloatMarkSlot.get(arr)
  const allFloat = allFloats || marks === true
  let out: string
  if (allFloat && typeof arr[0] === 'number' && typeof arr[n - 1] === 'number') {
    out = encodeFloatRun(arr, 0, n)
  } else {
    out = '['
    // Consecutive child arrays of fractional numbers (ndarray rows) print the same with or without
    // float marks, so they are gathered and printed together into bytes.
    let rows: unknown[][] = []
    let rowValues = 0
    for (let i = 0; i < n; i++) {
      const v = arr[i]
      if (Array.isArray(v) && v.length !== 0 && isFractionalRun(v, 0, v.length)) {
        rows.push(v)
        rowValues += v.length
        if (rowValues >= FLOAT_CHUNK) { out = flushRows(out, rows); rows = []; rowValues = 0 }
        continue
      }
      if (rows.length !== 0) { out = flushRows(out, rows); rows = []; rowValues = 0 }
      if (out.length !== 1) out += ','
      if (typeof v === 'number') {
        out += allFloat || (marks !== undefined && marks.has(i)) ? formatFloat(v) : formatNumber(v)
      } else {
        out += encodeValue(v, i) ?? 'null'
      }
    }
    if (rows.length !== 0) out = flushRows(out, rows)
    out += ']'
  }
  encodeDepth--
  return out
}

const ASTRAL_OR_HIGH_BMP = /[\ud800-\uffff]/

/**
 * Python sorts keys by code point. That is UTF-16 order (Array#sort) except where a surrogate
 * pair meets U+E000..U+FFFF, so the slower comparison only runs when such a character is there.
 */
function sortKeys (keys: string[]): void {
  const n = keys.length
  if (n <= 8) {
    // The few keys of a message object: an insertion sort by UTF-16 code units (what Array#sort
    // does with strings) without the generic sort's set-up, a measurable part of a small answer.
    for (let i = 1; i < n; i++) {
      const key = keys[i] as string
      let j = i - 1
      while (j >= 0 && (keys[j] as string) > key) { keys[j + 1] = keys[j] as string; j-- }
      keys[j + 1] = key
    }
  } else {
    keys.sort()
  }
  for (let i = 0; i < n; i++) {
    if (hasHighCodeUnit(keys[i] as string)) { keys.sort(compareCodePoints); return }
  }
}

/** A code unit from U+D800 up (what ASTRAL_OR_HIGH_BMP finds), by a loop for short keys. */
function hasHighCodeUnit (key: string): boolean {
  if (key.length > 32) return ASTRAL_OR_HIGH_BMP.test(key)
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) >= 0xd800) return true
  return false
}

function compareCodePoints (a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length;) {
    const x = a.codePointAt(i) as number
    const y = b.codePointAt(i) as number
    if (x !== y) return x - y
    i += x > 0xffff ? 2 : 1
  }
  return a.length - b.length
}

function encodeObject (obj: object): string {
  enter(obj)
  const keys = Object.keys(obj)
  if (keys.length > 1) sortKeys(keys)
  const marks = FloatMarkSlot.get(obj)
  const record = obj as Record<string, unknown>
  let out = '{'
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string
    const v = record[key]
    let text: string | undefined
    if (typeof v === 'number') {
      text = allFloats || marks === true || (marks !== undefined && marks.has(key)) ? formatFloat(v) : formatNumber(v)
    } else {
      text = encodeValue(v, key)
      if (text === undefined) continue
    }
    out += (out.length === 1 ? '' : ',') + quoteJsonString(key) + ':' + text
  }
  encodeDepth--
  return out + '}'
}

type TypedArray = TypedNumberArray | Uint8ClampedArray
type NumberArrayLike = ArrayLike<number> & { join: (sep: string) => string }

function encodeTypedArray (v: TypedArray): string {
  if (v instanceof Uint8Array) return '"' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') + '"'
  if (v instanceof Float64Array || v instanceof Float32Array) return encodeFloatRun(v, 0, v.length)
  return '[' + (v as NumberArrayLike).join(',') + ']' // ints and bigints: join prints their digits
}

/** Most elements of gathered rows printed in one go (encodeArray). */
const FLOAT_CHUNK = 1024
/** Shorter runs print element by element: the byte printer does not pay off for a handful. */
const FLOAT_CHUNK_MIN = 16

/** True when `data[start..end)` holds only numbers with a fraction in Python's fixed-notation range. */
function isFractionalRun (data: ArrayLike<unknown>, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const x = data[i]
    if (typeof x !== 'number' || x % 1 === 0) return false
    const a = x < 0 ? -x : x
    if (!(a >= 1e-4 && a < 1e16)) return false
  }
  return true
}

/**
 * `[x,y,...]` with every number as a Python float (other values print as usual). A run of numbers
 * is printed straight into bytes (json-float-run.ts); a run also holding strings, nulls... (a
 * float-marked plain array may) element by element.
 */
function encodeFloatRun (data: ArrayLike<unknown>, start: number, end: number): string {
  if (start === end) return '[]'
  if (end - start >= FLOAT_CHUNK_MIN) {
    const printed = printFloatRun(data, start, end)
    if (printed !== undefined) return printed
  }
  let out = '['
  for (let i = start; i < end; i++) {
    const x = data[i]
    out += (i === start ? '' : ',') + (typeof x === 'number' ? formatFloat(x) : encodeValue(x, i) ?? 'null')
  }
  return out + ']'
}

/** An NDArray as nested arrays, straight from its flat data (no nested JS arrays are built). */
function encodeNDArray (a: NDArray): string {
  const { data, shape } = a
  const kind = elementKind(a)
  if (shape.length === 0) return encodeElementRun(data, 0, 1, kind).slice(1, -1) // a 0-d array is its scalar
  if (kind === ELEMENT_FLOAT) {
    const printed = printFloatBlock(data, shape)
    if (printed !== undefined) return printed
  }
  const strides = new Array<number>(shape.length)
  let stride = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride
    stride *= shape[d] as number
  }
  const encodeDim = (dim: number, offset: number): string => {
    const n = shape[dim] as number
    if (dim === shape.length - 1) return encodeElementRun(data, offset, offset + n, kind)
    if (n === 0) return '[]'
    const step = strides[dim] as number
    let out = '['
    for (let i = 0; i < n; i++) {
      if (i !== 0) out += ','
      out += encodeDim(dim + 1, offset + i * step)
    }
    return out + ']'
  }
  return encodeDim(0, 0)
}

function flushRows (out: string, block: unknown[][]): string {
  // the rows hold fractional numbers only (isFractionalRun), which the byte printer always takes
  return out + (out.length === 1 ? '' : ',') + (printFloatRows(block) as string)
}

function encodeElementRun (data: NDArray['data'], start: number, end: number, kind: number): string {
  if (start === end) return '[]'
  if (kind === ELEMENT_FLOAT) return encodeFloatRun(data, start, end)
  if (kind === ELEMENT_INT && ArrayBuffer.isView(data) && !(data instanceof Float64Array) && !(data instanceof Float32Array)) {
    return '[' + (data.subarray(start, end) as NumberArrayLike).join(',') + ']'
  }
  let out = '['
  for (let i = start; i < end; i++) {
    if (i !== start) out += ','
    const x = data[i]
    if (kind === ELEMENT_INT) out += typeof x === 'number' ? formatInt(x) : encodeValue(x, i) ?? 'null'
    else if (kind === ELEMENT_BOOL) out += x === true || (typeof x === 'number' && x !== 0) ? 'true' : 'false'
    else out += encodeValue(x, i) ?? 'null'
  }
  return out + ']'
}
