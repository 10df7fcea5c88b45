/**
 * The JSON parser's fast path for the bulk of Seldon payloads: a long flat array of numbers
 * (a tensor's `values`, an ndarray row), converted in one pass over the text. json-parse.ts tries
 * it once an array starts with a run of numbers and falls back to its element-wise path
 * when this gives up.
 */
import { POW10, readSignificand } from './json-float-digits.js'
import { FloatMarkSlot } from './marks.js'

/** Where parseNumberRun collects values: kept between calls, up to this many elements. */
const MAX_RUN_SCRATCH = 1 << 20
let runScratch = new Float64Array(1024)

/**
 * Offset just past the `]` of the last run parseNumberRun read (valid after it returned an
 * array). A module binding rather than a result object: no allocation per run.
 */
export let numberRunEnd = 0

/**
 * The fast path for the bulk of Seldon payloads, a long flat array of JSON numbers (a tensor's
 * `values`, an ndarray row): one pass over the text from the array's first element at `first` up
 * to and including its `]`, converting as it validates. A number of at most 15 significant digits
 * and no exponent is an exact integer significand scaled by an exact power of ten, one correctly
 * rounded operation (Clinger's fast path: the double JSON.parse gives); one of 16 or 17 digits goes
 * to readSignificand (json-float-digits.ts); anything longer or with an exponent goes through
 * `Number()` of its slice, which JSON.parse matches too. Float marks come
 * from the same pass (all floats, no floats, or the integral-valued float literals of a mixed
 * run). Measured on 100,000 values this is about twice as fast as validating with a regex and
 * converting with a native JSON.parse of the slice (the previous way), and as fast on mixed runs.
 * Sets {@link numberRunEnd} and returns the array; returns undefined for anything else (a
 * non-number element, NaN/Infinity, an integer that may need a bigint, a syntax error): the
 * parser's element-wise path then carries on from where it was and reports errors at the right place.
 *
 * One loop, number scanning inline: it is the hottest loop of the JSON path (100k tensor values
 * per message in bench/codec.mjs), and a helper per number would hand back four results.
 */
export function parseNumberRun (s: string, first: number): number[] | undefined {
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
      value = readLongLiteral(s, negative ? start + 1 : start, digits - scale, p)
      if (negative) value = -value
    } else {
      return undefined // maybe a bigint
    }
    if (isFloat) {
      floats++
      if (value % 1 === 0) (integral ??= []).push(n)
    }
    if (n === values.length) values = growScratch(values)
    values[n++] = value
    while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p)
    if (c === 44) {
      c = s.charCodeAt(++p)
      while (c === 32 || c === 10 || c === 13 || c === 9) c = s.charCodeAt(++p)
      continue
    }
    if (c !== 93) return undefined
    numberRunEnd = p + 1
    break
  }
  return markedArray(values, n, floats, integral)
}

/**
 * The magnitude of the float literal whose digits start at `first` and end at `end`, with
 * `intDigits` digits before its point (no exponent, more than 15 digits): by readSignificand when
 * it has 16 or 17 significant digits and is at least ~1e-6, else by `Number()`. The digits are read
 * a second time here, by position, rather than kept in the loop above: keeping them there made
 * short literals 20 % slower on this path (parseJson of the 100k three-decimal tensor: 3.8 → 4.6
 * ms), while json-bytes.ts's loop, which does keep them, did not slow.
 */
function readLongLiteral (s: string, first: number, intDigits: number, end: number): number {
  let at = first
  let before = intDigits // digits before the point, from `at`
  if (s.charCodeAt(at) === 48) { // 0.000ddd: the significant digits start after the zeros
    at += 2
    while (s.charCodeAt(at) === 48) at++
    before = 0
  }
  const significant = end - at - (before > 0 ? 1 : 0)
  if (significant < 10 || significant > 17) return Number(s.slice(first, end))
  const skip = before > 0 ? before : 99 // digit j is at at + j, one further once past the point
  let high = 0
  for (let j = 0; j < 9; j++) high = high * 10 + (s.charCodeAt(at + j + (j >= skip ? 1 : 0)) - 48)
  let low = 0
  for (let j = 9; j < significant; j++) low = low * 10 + (s.charCodeAt(at + j + (j >= skip ? 1 : 0)) - 48)
  const value = readSignificand(high, low, significant, end - first - intDigits - 1)
  return Number.isNaN(value) ? Number(s.slice(first, end)) : value
}

/** A scratch array twice as long holding the same values; kept for the next runs up to MAX_RUN_SCRATCH. */
function growScratch (values: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(values.length * 2)
  grown.set(values)
  if (grown.length <= MAX_RUN_SCRATCH) runScratch = grown
  return grown
}

/**
 * The first `n` collected values as a JS array, float-marked: all of them when every literal was
 * a float, else the integral-valued float literals at `integral`. Collected in a typed array then
 * copied once: cheaper than growing a JS array element by element.
 */
function markedArray (values: Float64Array, n: number, floats: number, integral: number[] | undefined): number[] {
  const arr = new Array<number>(n)
  for (let i = 0; i < n; i++) arr[i] = values[i] as number
  if (floats === n) FloatMarkSlot.set(arr, true)
  else if (floats !== 0) FloatMarkSlot.set(arr, new Set(integral))
  return arr
}
