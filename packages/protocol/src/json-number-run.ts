/**
 * The JSON parser's fast path for the bulk of Seldon payloads: a long flat array of numbers
 * (a tensor's `values`, an ndarray row), converted in one pass over the text. json-parse.ts tries
 * it once an array starts with a run of numbers and falls back to its element-wise path
 * when this gives up.
 */
import { FloatMarkSlot } from './marks.js'

/** Exact powers of ten: every 10^k with k <= 22 is a double, the heart of the fast paths. */
export const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

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
 * to and including its `]`, converting as it validates. A number of at most 15 digits and no
 * exponent is an exact integer significand scaled by an exact power of ten, one correctly rounded
 * operation (Clinger's fast path: the double JSON.parse gives); anything longer or with an
 * exponent goes through `Number()` of its slice, which JSON.parse matches too. Float marks come
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
      value = Number(s.slice(start, p))
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
