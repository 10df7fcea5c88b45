/**
 * JSON text → plain JS values, with the semantics of Python's `json.loads` (docs/wire-format.md,
 * "Numbers" and "Reading JSON"):
 *
 *   - a number written with a fraction or exponent whose value is integral (`1.0`, `2e3`) is
 *     remembered by a float mark on its container (marks.ts), so the value stays a plain number
 *     for user code and prints as `1.0` again;
 *   - an integer beyond 2^53 becomes a bigint (never rounded);
 *   - NaN, Infinity and -Infinity tokens are accepted, as Python's json module does;
 *   - errors carry Python's JSONDecodeError text (`Expecting value: line 1 column 5 (char 4)`).
 *
 * Checked against CPython 3.11 byte for byte (test/json-golden.test.ts). Long runs of numbers
 * take the batch path of json-number-run.ts.
 */
import { badData, type SeldonError } from './errors.js'
import { POW10 } from './json-float-digits.js'
import { numberRunEnd, parseNumberRun } from './json-number-run.js'
import { FloatMarkSlot, JsonFloat, KeyOrderSlot } from './marks.js'
import { setOwnKey } from './own-key.js'
import type { JsonValue } from './types.js'

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
        const run = parseNumberRun(src, first)
        if (run !== undefined) { pos = numberRunEnd; depth--; return run }
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

/**
 * An array whose first this-many elements are numbers is tried on the batch path
 * (json-number-run.ts); shorter ones are cheaper element by element than with a native call.
 */
const NUMBER_RUN_PROBE = 16

function integralIndices (arr: readonly unknown[]): number[] {
  const out: number[] = []
  for (let i = 0; i < arr.length; i++) if (typeof arr[i] === 'number' && (arr[i] as number) % 1 === 0) out.push(i)
  return out
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
    setOwnKey(obj, key, value)
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
  if (c === 73 || c === 78) return parseNamedNumber(start, negative)

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
  if ((c === 101 || c === 69) && readExponent()) {
    isFloat = true
    exponent += exponentRead
  }

  if (!isFloat) {
    numKind = NUM_INT
    // Up to 15 digits the accumulated value is exact; longer integers may need a bigint.
    return intDigits <= 15 ? (negative ? -mantissa : mantissa) : longInteger(start)
  }

  const value = floatValue(mantissa, exponent, negative, start)
  numKind = value % 1 === 0 ? NUM_INTEGRAL_FLOAT : NUM_FRACTIONAL_FLOAT
  return value
}

/**
 * The double of a float literal from `start` to `pos`, whose digits read as the integer
 * `mantissa` times 10^`exponent`. Clinger's fast path: an exact significand times/over an exact
 * power of ten is a single correctly rounded operation, so the result is the double JSON.parse
 * would give; anything else goes through Number() of the text.
 */
function floatValue (mantissa: number, exponent: number, negative: boolean, start: number): number {
  if (mantissa <= Number.MAX_SAFE_INTEGER && exponent >= -22 && exponent <= 22) {
    const value = exponent >= 0 ? mantissa * (POW10[exponent] as number) : mantissa / (POW10[-exponent] as number)
    return negative ? -value : value
  }
  return Number(src.slice(start, pos))
}

/** `Infinity`, `-Infinity` or `NaN` at `pos` (after the sign); anything else is no value. */
function parseNamedNumber (start: number, negative: boolean): number {
  if (src.startsWith('Infinity', pos)) { pos += 8; numKind = NUM_FRACTIONAL_FLOAT; return negative ? -Infinity : Infinity }
  if (!negative && src.startsWith('NaN', pos)) { pos += 3; numKind = NUM_FRACTIONAL_FLOAT; return NaN }
  return fail('Expecting value', start)
}

/** What the last successful readExponent read. */
let exponentRead = 0

/**
 * The exponent part at `pos` (on its `e`/`E`): when digits follow, sets {@link exponentRead},
 * moves `pos` past them and returns true; otherwise leaves `pos` on the `e` for the caller to
 * report, as Python does.
 */
function readExponent (): boolean {
  let p = pos + 1
  let d = src.charCodeAt(p)
  let expNegative = false
  if (d === 43 || d === 45) { expNegative = d === 45; d = src.charCodeAt(++p) }
  if (!(d >= 48 && d <= 57)) return false
  let e = 0
  do {
    if (e < 100000) e = e * 10 + (d - 48) // beyond this every double is 0 or Infinity anyway
    d = src.charCodeAt(++p)
  } while (d >= 48 && d <= 57)
  exponentRead = expNegative ? -e : e
  pos = p
  return true
}

/** An integer literal of more than 15 digits from `start` to `pos`: a number while exact, else a bigint. */
function longInteger (start: number): number | bigint {
  const literal = src.slice(start, pos)
  const n = Number(literal)
  return n > Number.MAX_SAFE_INTEGER || n < -Number.MAX_SAFE_INTEGER ? BigInt(literal) : n
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
