/**
 * Number-faithful JSON, the way Seldon's Python wrapper reads and writes it.
 *
 * JavaScript has one number type; Python has int and float, and the wrapper's answers show the
 * difference (`1.0` stays `1.0`, `1` stays `1`). We keep it without changing what users see:
 *
 *   - parseJson returns plain JS values. A number written with a fraction or exponent whose value
 *     is integral (`1.0`, `2e3`) is remembered by a mark on its container (array or object), so
 *     the value stays a plain number for user code and prints as `1.0` again. An integer beyond
 *     2^53 becomes a bigint (never rounded). NaN, Infinity and -Infinity tokens are accepted, as
 *     Python's json module does.
 *   - stringifyJson writes Python's `json.dumps(sort_keys=True, separators=(',', ':'))` output:
 *     sorted keys, Python float repr (`1.0`, `1e-07`, `1e+16`), bare NaN/Infinity, non-ASCII as
 *     \uXXXX escapes. It understands the message form's stand-ins: typed arrays, NDArray,
 *     Uint8Array (base64), bigint and JsonFloat.
 *   - float(n) boxes a number that must print as a float, for values a user builds by hand.
 *   - pyRepr / pyStr render values the way Python's repr() / str() do, for error texts.
 *
 * Both directions are checked against CPython 3.11 (the reference's Python) byte for byte. Speed:
 * bulk numbers (tensor values, ndarray rows) go through the engine's native JSON.parse /
 * JSON.stringify once validated or once known to print the same, the rest through the
 * hand-written code below.
 */
import type { JsonValue } from './types.js'
import { badData, type SeldonError } from './errors.js'
// A cycle (ndarray.ts imports this file); NDArray is only used inside functions, so it is safe.
import { NDArray, type TypedNumberArray } from './ndarray.js'

/** A number that prints as a float even when integral (Python's `3.0`). Arithmetic works via valueOf. */
export class JsonFloat extends Number {
  toJSON (): number { return this.valueOf() }
}

/** Mark a number as a float for the JSON encoder: `float(3)` prints `3.0`. */
export function float (n: number): JsonFloat {
  return new JsonFloat(n)
}

/**
 * Float marks: for a container, `true` when every number in it was written as a float, or the
 * set of keys (indices for arrays) whose integral values were written as floats.
 *
 * The parser also registers an array holding only non-integral float literals among ints
 * (`[1, 0.5]`) with an empty set: nothing in it needs a mark to print right, but
 * {@link isFloatArray} must still see that numpy would make it float64.
 */
export type FloatMark = true | Set<string | number>

/**
 * Side data for parsed containers. A WeakMap would do, but parsing a large ndarray makes one
 * entry per row, and dead WeakMap entries are ephemerons that every major GC must process:
 * measured on 100k rows, parsing ran 3-4x slower and slowed the rest of the process. Instead the
 * value lives in a private class field installed on the container itself (a base constructor that
 * returns its argument makes `super()` bind `this` to it). It is invisible to Object.keys,
 * symbols, spread, JSON and deep-equality, and dies with the container. Objects that cannot take
 * a new field (frozen, sealed) fall back to a WeakMap.
 */
class Attached {
  constructor (target: object) {
    return target as Attached
  }
}

let frozenFloatMarks: WeakMap<object, FloatMark> | undefined

class FloatMarkSlot extends Attached {
  #mark: FloatMark
  private constructor (target: object, mark: FloatMark) {
    super(target)
    this.#mark = mark
  }

  static get (target: object): FloatMark | undefined {
    return #mark in target ? target.#mark : frozenFloatMarks?.get(target)
  }

  static set (target: object, mark: FloatMark): void {
    if (#mark in target) target.#mark = mark
    else if (Object.isExtensible(target)) new FloatMarkSlot(target, mark) // eslint-disable-line no-new
    else (frozenFloatMarks ??= new WeakMap()).set(target, mark)
  }
}

/**
 * Insertion order of parsed objects whose keys JS would reorder: integer-like keys come first in
 * a JS object, while a Python dict keeps the text's order, which pyRepr shows. Recorded only for
 * objects with a key starting with a digit.
 */
class KeyOrderSlot extends Attached {
  #order: string[]
  private constructor (target: object, order: string[]) {
    super(target)
    this.#order = order
  }

  static get (target: object): string[] | undefined {
    return #order in target ? target.#order : undefined
  }

  /** Only for an object the parser has just made: extensible, without an order yet. */
  static attach (target: object, order: string[]): void {
    new KeyOrderSlot(target, order) // eslint-disable-line no-new
  }
}

/** Remember that `container[key]` was written as a float (or, with no key, every number in it). */
export function markFloat (container: object, key?: string | number): void {
  if (key === undefined) { FloatMarkSlot.set(container, true); return }
  const mark = FloatMarkSlot.get(container)
  if (mark === true) return
  if (mark === undefined) FloatMarkSlot.set(container, new Set([key]))
  else mark.add(key)
}

/** True when the number at `container[key]` was written as a float. */
export function isMarkedFloat (container: object, key: string | number): boolean {
  const mark = FloatMarkSlot.get(container)
  return mark === true || (mark !== undefined && mark.has(key))
}

/** True when an array held at least one number written as a float (numpy would make it float64). */
export function isFloatArray (arr: readonly unknown[]): boolean {
  return FloatMarkSlot.get(arr) !== undefined
}

/** The float marks of a container, for encoders walking it. */
export function floatMarksOf (container: object): FloatMark | undefined {
  return FloatMarkSlot.get(container)
}

/** Own keys in Python dict order: as parsed when recorded, else Object.keys order. */
function insertionOrder (obj: object): string[] {
  const keys = Object.keys(obj)
  const recorded = KeyOrderSlot.get(obj)
  if (recorded === undefined) return keys
  const ordered = recorded.filter((k) => Object.hasOwn(obj, k))
  if (ordered.length !== keys.length) for (const k of keys) if (!ordered.includes(k)) ordered.push(k)
  return ordered
}

export interface StringifyOptions {
  /**
   * Print every plain number as a float (the proto-JSON rendering, where every number is a
   * double). Integer typed arrays, integer-dtype NDArrays and bigints still print as integers.
   */
  allFloats?: boolean
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/**
 * Deepest nesting of arrays/objects the parser accepts. Python's own limit is its recursion
 * limit (about 1000, a 500 there); a fixed limit turns a hostile `[[[[...` into a 400 instead of a
 * stack overflow, and no Seldon payload comes close (an ndarray has a handful of dimensions).
 */
export const MAX_JSON_DEPTH = 512

/** The error parseJson throws: a 400 BadDataError plus the decoder's own text and position. */
export interface JsonSyntaxError extends SeldonError {
  /** Python's JSONDecodeError text, e.g. `Expecting value: line 1 column 1 (char 0)`. */
  decoderMessage: string
  /** Offset of the error in the text, in UTF-16 code units. */
  position: number
}

export function isJsonSyntaxError (err: unknown): err is JsonSyntaxError {
  return err instanceof Error && typeof (err as Partial<JsonSyntaxError>).decoderMessage === 'string'
}

// The parser keeps its cursor in module state: it is synchronous and never re-entered, and plain
// variables are faster than an object or closures in the hot loops.
let src = ''
let pos = 0
let depth = 0
/** What the last parseNumber call read (the containers use it to set float marks). */
let numKind = 0
const NUM_INT = 0
const NUM_INTEGRAL_FLOAT = 1
const NUM_FRACTIONAL_FLOAT = 2

/** Exact powers of ten: every 10^k with k <= 22 is a double, the heart of the fast path below. */
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Parse JSON text (or UTF-8 bytes) number-faithfully, with the semantics of Python's `json.loads`.
 * Throws a 400 BadDataError ({@link JsonSyntaxError}) such as
 * `Invalid JSON: Expecting value: line 1 column 5 (char 4)`.
 *
 * A top-level integral float literal (the whole text is `1.0`) has no container to mark, so it
 * is returned as a {@link JsonFloat}; everywhere else numbers are plain.
 *
 * Bytes are decoded as UTF-8 once; a UTF-8 BOM is dropped there (as Python does for bytes) but is
 * an error at the start of a string (as Python does for str).
 */
export function parseJson (text: string | Uint8Array): JsonValue {
  let s: string
  if (typeof text === 'string') {
    s = text
  } else {
    try {
      s = utf8.decode(text)
    } catch {
      throw badData('Invalid JSON: the body is not valid UTF-8')
    }
  }
  src = s
  pos = 0
  depth = 0
  try {
    if (typeof text === 'string' && s.charCodeAt(0) === 0xfeff) fail('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0)
    skipWhitespace()
    let value: JsonValue
    if (isNumberStart(s.charCodeAt(pos))) {
      value = parseNumber()
      // A bare `1.0` has no container to carry its mark, so it comes back boxed.
      if (numKind === NUM_INTEGRAL_FLOAT) value = new JsonFloat(value as number)
    } else {
      value = parseValue()
    }
    skipWhitespace()
    if (pos !== s.length) fail('Extra data', pos)
    return value
  } finally {
    src = '' // do not keep a large body alive
  }
}

function skipWhitespace (): void {
  let c = src.charCodeAt(pos)
  while (c === 32 || c === 10 || c === 13 || c === 9) c = src.charCodeAt(++pos)
}

function isNumberStart (c: number): boolean {
  // digits, '-', 'N'aN, 'I'nfinity
  return (c >= 48 && c <= 57) || c === 45 || c === 78 || c === 73
}

function parseValue (): JsonValue {
  const c = src.charCodeAt(pos)
  switch (c) {
    case 123: return parseObject()
    case 91: return parseArray()
    case 34: return parseString()
    case 116:
      if (src.startsWith('true', pos)) { pos += 4; return true }
      break
    case 102:
      if (src.startsWith('false', pos)) { pos += 5; return false }
      break
    case 110:
      if (src.startsWith('null', pos)) { pos += 4; return null }
      break
    default:
      if (isNumberStart(c)) return parseNumber()
  }
  return fail('Expecting value', pos)
}

function parseArray (): JsonValue[] {
  if (++depth > MAX_JSON_DEPTH) fail(`Nesting deeper than ${MAX_JSON_DEPTH} levels`, pos)
  pos++
  skipWhitespace()
  const first = pos
  let c = src.charCodeAt(pos)
  if (c === 93) { pos++; depth--; return [] }
  const arr: JsonValue[] = []
  let numbers = 0
  let floats = 0
  // Indices of integral float literals, kept only once the array mixes ints and floats.
  let integralFloats: number[] | undefined
  for (;;) {
    if (isNumberStart(src.charCodeAt(pos))) {
      const n = parseNumber()
      if (numKind !== NUM_INT) {
        if (integralFloats === undefined && floats !== numbers) integralFloats = []
        if (integralFloats !== undefined && numKind === NUM_INTEGRAL_FLOAT) integralFloats.push(arr.length)
        floats++
      } else if (integralFloats === undefined && floats !== 0 && floats === numbers) {
        integralFloats = integralIndices(arr) // every number so far was a float literal
      }
      numbers++
      arr.push(n)
      if (numbers === NUMBER_RUN_PROBE && arr.length === NUMBER_RUN_PROBE) {
        // A long run of numbers so far: try the batch path for the whole array.
        const run = parseNumberRun(first)
        if (run !== undefined) { depth--; return run }
      }
    } else {
      arr.push(parseValue())
    }
    skipWhitespace()
    c = src.charCodeAt(pos)
    if (c === 44) { pos++; skipWhitespace(); continue }
    if (c === 93) { pos++; break }
    fail("Expecting ',' delimiter", pos)
  }
  // push() grows a fresh array to 17 slots at once; an exact-size copy keeps the many short
  // rows of an ndarray small, which matters to the GC (measured: 100k rows of 4, 2x faster).
  const result = arr.length < SHORT_ARRAY ? arr.slice() : arr
  if (floats !== 0) {
    // One mark per array, never per element: the common `[1.0,2.0]` gets `true`.
    FloatMarkSlot.set(result, floats === numbers ? true : new Set(integralFloats))
  }
  depth--
  return result
}

/** Arrays shorter than this are copied to an exact-size array once parsed (see parseArray). */
const SHORT_ARRAY = 17

function integralIndices (arr: readonly unknown[]): number[] {
  const out: number[] = []
  for (let i = 0; i < arr.length; i++) if (typeof arr[i] === 'number' && (arr[i] as number) % 1 === 0) out.push(i)
  return out
}

/**
 * An array whose first this-many elements are numbers is tried on the batch path below; shorter
 * ones are cheaper element by element than with a native call.
 */
const NUMBER_RUN_PROBE = 16

/**
 * The fast path for the bulk of Seldon payloads, a long flat array of JSON numbers (a tensor's
 * `values`, an ndarray row): one pass over the text from the array's first element at `first` up
 * to and including its `]`, converting as it validates. A number of at most 15 digits and no
 * exponent is an exact integer significand scaled by an exact power of ten, one correctly rounded
 * operation (Clinger's fast path: the double JSON.parse gives); anything longer or with an
 * exponent goes through `Number()` of its slice, which JSON.parse matches too. Float marks come
 * from the same pass (all floats, no floats, or the integral-valued float literals of a mixed
 * run). Measured on 100,000 values this is about twice as fast as validating with a regex and
 * converting with a native JSON.parse of the slice (the previous way), and as fast on mixed runs.
 * Returns undefined, with `pos` unchanged, for anything else (a non-number element, NaN/Infinity,
 * an integer that may need a bigint, a syntax error): the element-wise path then carries on and
 * reports errors at the right place.
 */
/** Where parseNumberRun collects values: kept between calls, up to this many elements. */
const MAX_RUN_SCRATCH = 1 << 20
let runScratch = new Float64Array(1024)

function parseNumberRun (first: number): number[] | undefined {
  const s = src
  let p = first
  let values = runScratch
  let n = 0
  let floats = 0
  /** Indices of float literals with an integral value (`2.0`), the ones a mixed run must mark. */
  let integral: number[] | undefined
  for (;;) {
    const start = p
    let c = s.charCodeAt(p)
    const negative = c === 45
    if (negative) c = s.charCodeAt(++p)
    let mantissa = 0
    let digits = 0
    if (c === 48) {
      c = s.charCodeAt(++p)
      digits = 1
    } else if (c >= 49 && c <= 57) {
      do {
        mantissa = mantissa * 10 + (c - 48)
        digits++
        c = s.charCodeAt(++p)
      } while (c >= 48 && c <= 57)
    } else {
      return undefined
    }
    let isFloat = false
    let scale = 0
    if (c === 46) {
      c = s.charCodeAt(++p)
      if (!(c >= 48 && c <= 57)) return undefined
      do {
        mantissa = mantissa * 10 + (c - 48)
        digits++
        scale++
        c = s.charCodeAt(++p)
      } while (c >= 48 && c <= 57)
      isFloat = true
    }
    let value: number
    if (c === 101 || c === 69) {
      c = s.charCodeAt(++p)
      if (c === 43 || c === 45) c = s.charCodeAt(++p)
      if (!(c >= 48 && c <= 57)) return undefined
      do c = s.charCodeAt(++p); while (c >= 48 && c <= 57)
      isFloat = true
      value = Number(s.slice(start, p))
    } else if (digits <= 15) {
      // below 10^15 the significand is exact, and so is 10^scale (scale <= 15 <= 22)
      value = scale === 0 ? mantissa : mantissa / (POW10[scale] as number)
      if (negative) value = -value
    } else if (isFloat) {
      value = Number(s.slice(start, p))
    } else {
      return undefined // maybe a bigint
    }
    if (isFloat) {
      floats++
      if (value % 1 === 0) (integral ??= []).push(n)
    }
    if (n === values.length) {
      const grown = new Float64Array(n * 2)
      grown.set(values)
      values = grown
      if (n * 2 <= MAX_RUN_SCRATCH) runScratch = grown
    }
    values[n++] = value
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p)
    if (c === 44) {
      c = s.charCodeAt(++p)
      while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p)
      continue
    }
    if (c !== 93) return undefined
    pos = p + 1
    break
  }
  // Collected in a typed array then copied once: cheaper than growing a JS array element by element.
  const arr = new Array<number>(n)
  for (let i = 0; i < n; i++) arr[i] = values[i] as number
  if (floats === n) FloatMarkSlot.set(arr, true)
  else if (floats !== 0) FloatMarkSlot.set(arr, new Set(integral))
  return arr
}

function parseObject (): { [key: string]: JsonValue } {
  if (++depth > MAX_JSON_DEPTH) fail(`Nesting deeper than ${MAX_JSON_DEPTH} levels`, pos)
  pos++
  const obj: { [key: string]: JsonValue } = {}
  skipWhitespace()
  let c = src.charCodeAt(pos)
  if (c === 125) { pos++; depth--; return obj }
  let marks: Set<string> | undefined
  let order: string[] | undefined
  for (;;) {
    if (c !== 34) fail('Expecting property name enclosed in double quotes', pos)
    const key = parseString()
    if (order === undefined) {
      const k0 = key.charCodeAt(0)
      if (k0 >= 48 && k0 <= 57) order = Object.keys(obj) // no digit key yet: this is insertion order
    }
    if (order !== undefined && !Object.hasOwn(obj, key)) order.push(key)
    skipWhitespace()
    if (src.charCodeAt(pos) !== 58) fail("Expecting ':' delimiter", pos)
    pos++
    skipWhitespace()
    let value: JsonValue
    if (isNumberStart(src.charCodeAt(pos))) {
      value = parseNumber()
      if (numKind === NUM_INTEGRAL_FLOAT) (marks ??= new Set()).add(key)
      else marks?.delete(key) // a repeated key: the last value wins, mark included
    } else {
      value = parseValue()
      marks?.delete(key)
    }
    if (key === '__proto__') {
      // An own data property, never a prototype change (`obj.__proto__ = v` would be one).
      Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true })
    } else {
      obj[key] = value
    }
    skipWhitespace()
    c = src.charCodeAt(pos)
    if (c === 44) { pos++; skipWhitespace(); c = src.charCodeAt(pos); continue }
    if (c === 125) { pos++; break }
    fail("Expecting ',' delimiter", pos)
  }
  if (marks !== undefined && marks.size !== 0) FloatMarkSlot.set(obj, marks)
  if (order !== undefined) KeyOrderSlot.attach(obj, order)
  depth--
  return obj
}

/**
 * Read a number at `pos` (the grammar of Python's scanner: `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`
 * plus NaN, Infinity, -Infinity) and set {@link numKind}. A `.` or `e` not followed by a digit
 * ends the number, so the caller reports the stray character as Python does.
 */
function parseNumber (): number | bigint {
  const start = pos
  let c = src.charCodeAt(pos)
  let negative = false
  if (c === 45) { negative = true; c = src.charCodeAt(++pos) }
  if (c === 73) {
    if (src.startsWith('Infinity', pos)) { pos += 8; numKind = NUM_FRACTIONAL_FLOAT; return negative ? -Infinity : Infinity }
    return fail('Expecting value', start)
  }
  if (c === 78 && !negative) {
    if (src.startsWith('NaN', pos)) { pos += 3; numKind = NUM_FRACTIONAL_FLOAT; return NaN }
    return fail('Expecting value', start)
  }

  // The significand as an integer, exact while it stays below 2^53.
  let mantissa = 0
  let intDigits = 0
  if (c === 48) {
    c = src.charCodeAt(++pos)
    intDigits = 1
  } else if (c >= 49 && c <= 57) {
    do {
      mantissa = mantissa * 10 + (c - 48)
      intDigits++
      c = src.charCodeAt(++pos)
    } while (c >= 48 && c <= 57)
  } else {
    return fail('Expecting value', start)
  }

  let isFloat = false
  let exponent = 0
  if (c === 46) {
    const d = src.charCodeAt(pos + 1)
    if (d >= 48 && d <= 57) {
      isFloat = true
      c = d
      pos++
      do {
        mantissa = mantissa * 10 + (c - 48)
        exponent--
        c = src.charCodeAt(++pos)
      } while (c >= 48 && c <= 57)
    }
  }
  if (c === 101 || c === 69) {
    let p = pos + 1
    let d = src.charCodeAt(p)
    let expNegative = false
    if (d === 43 || d === 45) { expNegative = d === 45; d = src.charCodeAt(++p) }
    if (d >= 48 && d <= 57) {
      isFloat = true
      let e = 0
      do {
        if (e < 100000) e = e * 10 + (d - 48) // beyond this every double is 0 or Infinity anyway
        d = src.charCodeAt(++p)
      } while (d >= 48 && d <= 57)
      exponent += expNegative ? -e : e
      pos = p
    }
  }

  if (!isFloat) {
    numKind = NUM_INT
    // Up to 15 digits the accumulated value is exact; longer integers may need a bigint.
    if (intDigits <= 15) return negative ? -mantissa : mantissa
    const literal = src.slice(start, pos)
    const n = Number(literal)
    return n > Number.MAX_SAFE_INTEGER || n < -Number.MAX_SAFE_INTEGER ? BigInt(literal) : n
  }

  let value: number
  // Clinger's fast path: an exact significand times/over an exact power of ten is a single
  // correctly rounded operation, so the result is the double JSON.parse would give.
  if (mantissa <= Number.MAX_SAFE_INTEGER && exponent >= -22 && exponent <= 22) {
    value = exponent >= 0 ? mantissa * (POW10[exponent] as number) : mantissa / (POW10[-exponent] as number)
    if (negative) value = -value
  } else {
    value = Number(src.slice(start, pos))
  }
  numKind = value % 1 === 0 ? NUM_INTEGRAL_FLOAT : NUM_FRACTIONAL_FLOAT
  return value
}

/** Skips plain string characters natively, for long strings. */
const PLAIN_STRING_CHARS = /[^"\\\u0000-\u001f]*/y // eslint-disable-line no-control-regex

function parseString (): string {
  const start = ++pos
  const s = src
  let p = pos
  for (;;) {
    const c = s.charCodeAt(p)
    if (c === 34) { pos = p + 1; return s.slice(start, p) }
    if (c === 92) { pos = p; return parseEscapedString(start) }
    if (!(c >= 32)) { pos = p; return badStringChar(start) } // a control character or the end of the text
    if (++p - start === 64) {
      PLAIN_STRING_CHARS.lastIndex = p
      PLAIN_STRING_CHARS.test(s)
      p = PLAIN_STRING_CHARS.lastIndex
    }
  }
}

function badStringChar (start: number): never {
  if (pos >= src.length) return fail('Unterminated string starting at', start - 1)
  return fail('Invalid control character at', pos)
}

/** The slow path: the string has escapes. `pos` is at the first backslash. */
function parseEscapedString (start: number): string {
  let out = ''
  let chunk = start
  for (;;) {
    const c = src.charCodeAt(pos)
    if (c === 34) {
      out += src.slice(chunk, pos)
      pos++
      return out
    }
    if (c === 92) {
      out += src.slice(chunk, pos)
      const e = src.charCodeAt(pos + 1)
      switch (e) {
        case 34: out += '"'; break
        case 92: out += '\\'; break
        case 47: out += '/'; break
        case 98: out += '\b'; break
        case 102: out += '\f'; break
        case 110: out += '\n'; break
        case 114: out += '\r'; break
        case 116: out += '\t'; break
        case 117: {
          // Four hex digits; surrogate pairs need no work: JS strings are UTF-16 already, and a
          // lone surrogate is kept as Python keeps it.
          const u = pos + 1
          if (u + 5 >= src.length) fail('Invalid \\uXXXX escape', u) // room for 4 digits and a closing quote
          const code = (hexDigit(src.charCodeAt(u + 1)) << 12) | (hexDigit(src.charCodeAt(u + 2)) << 8) |
            (hexDigit(src.charCodeAt(u + 3)) << 4) | hexDigit(src.charCodeAt(u + 4))
          if (code < 0) fail('Invalid \\uXXXX escape', u)
          out += String.fromCharCode(code)
          pos += 4
          break
        }
        default:
          if (pos + 1 >= src.length) fail('Unterminated string starting at', start - 1)
          fail('Invalid \\escape', pos)
      }
      pos += 2
      chunk = pos
      continue
    }
    if (!(c >= 32)) badStringChar(start)
    pos++
  }
}

/** The value of a hex digit, or a large negative number so that a combined code is negative. */
function hexDigit (c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -0x10000
}

/** Throw Python's JSONDecodeError text; positions count code points, as Python's str does. */
function fail (message: string, at: number): never {
  const text = src
  let line = 1
  let char = 0
  let column = 0
  for (let i = 0; i < at; i++) {
    const c = text.charCodeAt(i)
    // The second half of a surrogate pair is not a character of its own.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && isHighSurrogate(text.charCodeAt(i - 1))) continue
    char++
    column++
    if (c === 10) { line++; column = 0 }
  }
  const decoderMessage = `${message}: line ${line} column ${column + 1} (char ${char})`
  const err = badData(`Invalid JSON: ${decoderMessage}`) as JsonSyntaxError
  err.decoderMessage = decoderMessage
  err.position = at
  throw err
}

function isHighSurrogate (c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff
}

// ---------------------------------------------------------------------------------------------
// Python float repr
// ---------------------------------------------------------------------------------------------

/**
 * Python's `repr(float)` as `json.dumps` writes it: `1.0`, `0.5`, `1e-07`, `1e+16`,
 * `9999999999999998.0`, `-0.0`, and the bare tokens `NaN`, `Infinity`, `-Infinity`.
 *
 * Both languages print the shortest digits that round-trip; they only differ in layout. Python
 * uses fixed notation for 1e-4 <= |n| < 1e16 (JS's range is wider, so String(n) is already right
 * there, save the `.0`), and otherwise `d.ddde±XX` with at least two exponent digits.
 */
export function formatFloat (n: number): string {
  const a = n < 0 ? -n : n
  if (a >= 1e-4 && a < 1e16) return n % 1 === 0 ? n + '.0' : '' + n
  return formatFloatOutsideFixed(n)
}

function formatFloatOutsideFixed (n: number): string {
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0'
  if (Number.isNaN(n)) return 'NaN'
  if (n === Infinity) return 'Infinity'
  if (n === -Infinity) return '-Infinity'
  const s = n.toExponential() // shortest round-trip digits, e.g. 1.5e-7
  const e = s.indexOf('e')
  const digits = s.length - e - 2
  return digits >= 2 ? s : s.slice(0, e + 2) + '0' + s.slice(e + 2)
}

/** Python's repr of a float as repr() writes it (nan, inf, -inf rather than JSON's tokens). */
function pyFloat (n: number): string {
  if (Number.isNaN(n)) return 'nan'
  if (n === Infinity) return 'inf'
  if (n === -Infinity) return '-inf'
  return formatFloat(n)
}

/**
 * A plain number with no float mark: integral values print as Python ints. An integral value
 * beyond 2^53 cannot have come from a JSON int (that would be a bigint), so it prints as the
 * float it is (`1e+16`).
 */
function formatNumber (n: number): string {
  return n % 1 === 0 && n <= Number.MAX_SAFE_INTEGER && n >= -Number.MAX_SAFE_INTEGER ? '' + n : formatFloat(n)
}

/** An element of an integer dtype: all digits even beyond 1e21, where String() switches to `1e+21`. */
function formatInt (n: number): string {
  if (n % 1 !== 0) return formatFloat(n) // NaN or a fraction stored under an int dtype
  return n < 1e21 && n > -1e21 ? '' + n : BigInt(n).toString()
}

// ---------------------------------------------------------------------------------------------
// Stringify
// ---------------------------------------------------------------------------------------------

/** Characters `json.dumps(ensure_ascii=True)` escapes: controls, `"`, `\`, DEL and all non-ASCII. */
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u007f-\uffff]/ // eslint-disable-line no-control-regex
const SHORT_ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' }

/**
 * A JSON string literal as Python's `json.dumps(ensure_ascii=True)` writes it: `\"`, `\\`, `\n`,
 * `\r`, `\t`, `\b`, `\f`, every other control character, DEL and every non-ASCII code unit as
 * `\u00xx` (lowercase hex; astral characters come out as their surrogate pair). `/` is not escaped.
 */
export function quoteJsonString (s: string): string {
  if (s.length <= SHORT_KEY) {
    // keys and names (`data`, `t:0`): a loop beats the regex's fixed cost on a few characters
    let plain = true
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (c < 32 || c === 34 || c === 92 || c >= 127) { plain = false; break }
    }
    if (plain) return '"' + s + '"'
    return escapeShortString(s)
  }
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"'
  return s.length < LONG_STRING ? escapeShortString(s) : escapeLongString(s)
}

/** Up to this length quoteJsonString checks characters in a loop rather than with NEEDS_ESCAPE. */
const SHORT_KEY = 16

/** From this length on, escapes are written as bytes into a buffer rather than concatenated. */
const LONG_STRING = 256
const HEX_DIGITS = '0123456789abcdef'
/** The letter of each short escape (`\n` ...), by char code. */
const SHORT_ESCAPE_LETTERS: Record<number, number> = { 8: 98, 9: 116, 10: 110, 12: 102, 13: 114 }

function escapeLongString (s: string): string {
  const bytes = Buffer.allocUnsafe(s.length * 6 + 2) // the worst case: every code unit as \uXXXX
  let o = 0
  bytes[o++] = 34
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 32 && c < 127) {
      if (c === 34 || c === 92) bytes[o++] = 92
      bytes[o++] = c
      continue
    }
    bytes[o++] = 92
    const letter = SHORT_ESCAPE_LETTERS[c]
    if (letter !== undefined) { bytes[o++] = letter; continue }
    bytes[o++] = 117
    bytes[o++] = HEX_DIGITS.charCodeAt(c >> 12)
    bytes[o++] = HEX_DIGITS.charCodeAt((c >> 8) & 15)
    bytes[o++] = HEX_DIGITS.charCodeAt((c >> 4) & 15)
    bytes[o++] = HEX_DIGITS.charCodeAt(c & 15)
  }
  bytes[o++] = 34
  return bytes.toString('latin1', 0, o)
}

function escapeShortString (s: string): string {
  let out = '"'
  let chunk = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 32 && c < 127 && c !== 34 && c !== 92) continue
    if (chunk < i) out += s.slice(chunk, i)
    out += SHORT_ESCAPES[c] ?? '\\u' + hex4(c)
    chunk = i + 1
  }
  if (chunk < s.length) out += s.slice(chunk)
  return out + '"'
}

function hex4 (c: number): string {
  return c < 0x10 ? '000' + c.toString(16) : c < 0x100 ? '00' + c.toString(16) : c < 0x1000 ? '0' + c.toString(16) : c.toString(16)
}

// Encoder state, saved and restored around each call so that a toJSON calling back is safe.
let allFloats = false
/** Containers being written, for cycle detection (checked only past CYCLE_CHECK_DEPTH). */
const ancestors: object[] = []
let encodeDepth = 0
const CYCLE_CHECK_DEPTH = 100

/**
 * Serialise like the reference: Python's `json.dumps(obj, sort_keys=True, separators=(',', ':'),
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
    // float marks, so they are gathered and printed by one native JSON.stringify.
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

/** Most elements one native JSON.stringify call prints in encodeFloatRun. */
const FLOAT_CHUNK = 1024
/** Shorter runs print element by element: a native call does not pay off for a handful. */
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
 * `[x,y,...]` with every number as a Python float (other values print as usual).
 *
 * For a number with a fraction in Python's fixed-notation range, JS's shortest digits already are
 * Python's repr, and V8's JSON.stringify is its fastest number printer: such numbers are batched
 * into a scratch array printed natively. Integral numbers get `.0` by concatenation, the rest
 * (exponent form, -0, NaN...) go through formatFloat.
 */
function encodeFloatRun (data: ArrayLike<unknown>, start: number, end: number): string {
  if (start === end) return '[]'
  if (end - start < FLOAT_CHUNK_MIN) {
    let out = '['
    for (let i = start; i < end; i++) {
      const x = data[i]
      out += (i === start ? '' : ',') + (typeof x === 'number' ? formatFloat(x) : encodeValue(x, i) ?? 'null')
    }
    return out + ']'
  }
  if (Array.isArray(data) && start === 0 && end === data.length && isFractionalRun(data, 0, end)) return JSON.stringify(data)
  let out = '['
  let scratch: number[] = []
  for (let i = start; i < end; i++) {
    const x = data[i]
    if (typeof x === 'number') {
      const a = x < 0 ? -x : x
      if (a >= 1e-4 && a < 1e16) {
        if (x % 1 !== 0) {
          scratch.push(x)
          if (scratch.length === FLOAT_CHUNK) { out = flushScratch(out, scratch); scratch = [] }
          continue
        }
        if (scratch.length !== 0) { out = flushScratch(out, scratch); scratch = [] }
        out += (out.length === 1 ? '' : ',') + x + '.0'
        continue
      }
    }
    if (scratch.length !== 0) { out = flushScratch(out, scratch); scratch = [] }
    // a float-marked array may also hold strings, nulls...: those print as themselves
    out += (out.length === 1 ? '' : ',') + (typeof x === 'number' ? formatFloatOutsideFixed(x) : encodeValue(x, i) ?? 'null')
  }
  if (scratch.length !== 0) out = flushScratch(out, scratch)
  return out + ']'
}

function flushScratch (out: string, scratch: number[]): string {
  const text = JSON.stringify(scratch)
  return out + (out.length === 1 ? '' : ',') + text.slice(1, -1)
}

const ELEMENT_FLOAT = 0
const ELEMENT_INT = 1
const ELEMENT_BOOL = 2
const ELEMENT_VALUE = 3

function elementKind (a: NDArray): number {
  switch (a.dtype) {
    case 'float64': case 'float32': return ELEMENT_FLOAT
    case 'bool': return ELEMENT_BOOL
    case 'string': case 'object': return ELEMENT_VALUE
    default: return ELEMENT_INT
  }
}

/** An NDArray as nested arrays, straight from its flat data (no nested JS arrays are built). */
function encodeNDArray (a: NDArray): string {
  const { data, shape } = a
  const kind = elementKind(a)
  if (shape.length === 0) return encodeElementRun(data, 0, 1, kind).slice(1, -1) // a 0-d array is its scalar
  const strides = new Array<number>(shape.length)
  let stride = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride
    stride *= shape[d] as number
  }
  const rowLength = shape[shape.length - 1] as number
  const shortFloatRows = kind === ELEMENT_FLOAT && rowLength > 0 && rowLength < FLOAT_CHUNK_MIN
  const encodeDim = (dim: number, offset: number): string => {
    const n = shape[dim] as number
    if (dim === shape.length - 1) return encodeElementRun(data, offset, offset + n, kind)
    if (n === 0) return '[]'
    if (shortFloatRows && dim === shape.length - 2) return encodeShortFloatRows(data, offset, n, rowLength)
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

/**
 * `n` rows of `cols` floats, each too short to be worth a native call alone: consecutive rows whose
 * values all print as JS prints them are gathered into a nested scratch block printed by one
 * JSON.stringify; other rows (with an integral value, an exponent...) print element by element.
 */
function encodeShortFloatRows (data: NDArray['data'], offset: number, n: number, cols: number): string {
  const rowsPerBlock = Math.ceil(FLOAT_CHUNK / cols)
  let out = '['
  let block: unknown[][] = []
  for (let row = 0; row < n; row++) {
    const start = offset + row * cols
    if (isFractionalRun(data, start, start + cols)) {
      const values: unknown[] = []
      for (let i = start; i < start + cols; i++) values.push(data[i])
      block.push(values)
      if (block.length === rowsPerBlock) { out = flushRows(out, block); block = [] }
    } else {
      if (block.length !== 0) { out = flushRows(out, block); block = [] }
      out += (out.length === 1 ? '' : ',') + encodeFloatRun(data, start, start + cols)
    }
  }
  if (block.length !== 0) out = flushRows(out, block)
  return out + ']'
}

function flushRows (out: string, block: unknown[][]): string {
  return out + (out.length === 1 ? '' : ',') + JSON.stringify(block).slice(1, -1)
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

// ---------------------------------------------------------------------------------------------
// Python repr() and str()
// ---------------------------------------------------------------------------------------------

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
