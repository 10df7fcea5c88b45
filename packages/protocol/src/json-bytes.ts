/**
 * The REST fast path for the bulk of Seldon traffic: a request body that is exactly
 * `{"data":{"ndarray":<nested numbers>}}` or `{"data":{"tensor":{"shape":[...],"values":[...]}}}`
 * is read from its UTF-8 bytes straight into the NDArray's Float64Array, with no string, no JS
 * arrays and no float marks in between. `data` may also hold `names` and the message `meta`, in
 * any order, as Seldon's Python client and every Seldon component's answer write them (so each
 * hop of a graph after the first): json-bytes-members.ts reads those two. Anything else (another
 * key, a key twice, a string, a bigint-sized integer, an empty or ragged array, a syntax error, a
 * BOM...) returns undefined and the caller parses the body with the general parser
 * (json-parse.ts), which gives the same answer or the same error it always did: this path only
 * ever says "I know the result" or "ask the other".
 *
 * The result is what `decodePayload(parseJson(text))` would build from the same body (payload.ts
 * takes an NDArray in place of nested arrays as it is): the same doubles (the same Clinger fast
 * path as json-number-run.ts; 16- and 17-digit literals by readSignificand; exponents and longer
 * literals natively, by `Number()` or one JSON.parse of their run: the same correctly rounded
 * doubles), float64 when any literal is a float (`1.0`, `1e3`, NaN, Infinity), else int64, the
 * shape of the nesting.
 * test/json-bytes.test.ts checks it against the general path, by example and by fast-check.
 *
 * Measured on the 780 kB bodies of bench/ (100,000 values; 2026-12-04, a loaded 2-core machine),
 * bytes to decoded payload: the 100k tensor 7.3 ms here against 23.3 ms for UTF-8 decoding +
 * parseJson + decodePayload (JSON.parse alone: 15.9 ms), the 100×1000 ndarray 10.4 against 24.4.
 * The profile of the old path had 17 % of the server's CPU in copying the run's values into a JS
 * array (then copied again into the Float64Array) and 9 % in decoding the body to a string.
 */
import { NDArray } from './ndarray.js'
import { POW10, readSignificand } from './json-float-digits.js'
import { MAX_JSON_DEPTH } from './json-parse.js'
import { latin1Text } from './bytes-text.js'
import { readMetaMember, readNamesMember, spells, type Member } from './json-bytes-members.js'
import type { SeldonMessage } from './types.js'

// Cursor and results in module state, as in json-parse.ts: synchronous, never re-entered.
let bytes: Uint8Array = new Uint8Array(0)
let p = 0
/** Where numbers are collected; kept between calls up to MAX_SCRATCH elements. */
let scratch = new Float64Array(4096)
const MAX_SCRATCH = 1 << 20
/** The array being filled: the scratch, or a larger one for a body beyond MAX_SCRATCH values. */
let collecting = scratch
let count = 0
let sawFloat = false
/** Dimensions found so far (-1: not known yet); leafDim: the depth whose elements are numbers. */
let shape: number[] = []
let leafDim = -1

const KEY_DATA = ascii('"data"')
const KEY_NDARRAY = ascii('"ndarray"')
const KEY_TENSOR = ascii('"tensor"')
const KEY_SHAPE = ascii('"shape"')
const KEY_VALUES = ascii('"values"')
const KEY_NAMES = ascii('"names"')
const KEY_META = ascii('"meta"')

function ascii (s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0))
}

/**
 * The request message of a body that holds only a numeric `data.ndarray` or `data.tensor`, with
 * the numbers already in an NDArray; undefined for any other body (parse it with parseJson).
 */
export function parseNumericDataBytes (body: Uint8Array): SeldonMessage | undefined {
  bytes = body
  p = 0
  count = 0
  sawFloat = false
  collecting = scratch
  try {
    return readMessage()
  } finally {
    bytes = EMPTY // do not keep a large body alive
    collecting = scratch
  }
}

const EMPTY = new Uint8Array(0)

function readMessage (): SeldonMessage | undefined {
  skipWhitespace()
  if (bytes[p] !== 123 /* { */) return undefined
  p++
  skipWhitespace()
  // The members in the body's order, as parseJson builds its objects.
  const message: Record<string, unknown> = {}
  let data: Record<string, unknown> | undefined
  let sawMeta = false
  do {
    if (data === undefined && readKey(KEY_DATA)) {
      data = readData()
      if (data === undefined) return undefined
      message.data = data
    } else if (!sawMeta && readKey(KEY_META)) {
      if (!takeMember(readMetaMember, message, 'meta')) return undefined
      sawMeta = true
    } else {
      return undefined
    }
  } while (nextMember())
  if (data === undefined || !closeObject()) return undefined
  return p === bytes.length ? message as SeldonMessage : undefined
}

/** `data`: `ndarray` or `tensor` (one of them), and `names` at most once, in any order. */
function readData (): Record<string, unknown> | undefined {
  if (bytes[p] !== 123) return undefined
  p++
  skipWhitespace()
  const data: Record<string, unknown> = {}
  let numbers = false
  let sawNames = false
  do {
    if (!numbers && readKey(KEY_NDARRAY)) {
      const ndarray = readNdarray()
      if (ndarray === undefined) return undefined
      data.ndarray = ndarray
      numbers = true
    } else if (!numbers && readKey(KEY_TENSOR)) {
      const tensor = readTensor()
      if (tensor === undefined) return undefined
      data.tensor = tensor
      numbers = true
    } else if (!sawNames && readKey(KEY_NAMES)) {
      if (!takeMember(readNamesMember, data, 'names')) return undefined
      sawNames = true
    } else {
      return undefined
    }
  } while (nextMember())
  return numbers && closeObject() ? data : undefined
}

/** The member at `p` read by `read` into `target[key]`, and `p` past it; false if it cannot be read. */
function takeMember (read: (body: Uint8Array, at: number) => Member | undefined, target: Record<string, unknown>, key: string): boolean {
  const member = read(bytes, p)
  if (member === undefined) return false
  target[key] = member.value
  p = member.end
  return true
}

/** After an object's member: true past a `,` (another member follows), false before anything else. */
function nextMember (): boolean {
  skipWhitespace()
  if (bytes[p] !== 44 /* , */) return false
  p++
  skipWhitespace()
  return true
}

function skipWhitespace (): void {
  let c = bytes[p]
  while (c === 32 || c === 10 || c === 13 || c === 9) c = bytes[++p]
}

/**
 * `"key"` then `:` (whitespace around); true and past the colon when it is there, else false with
 * `p` where it was, so that the caller's next key is tried at the same place (a key without its
 * colon must not let the key after it be read in its stead).
 */
function readKey (key: Uint8Array): boolean {
  for (let i = 0; i < key.length; i++) if (bytes[p + i] !== key[i]) return false
  const start = p
  p += key.length
  skipWhitespace()
  if (bytes[p] !== 58 /* : */) {
    p = start
    return false
  }
  p++
  skipWhitespace()
  return true
}

/** Whitespace and the `}` of an object with no more keys. */
function closeObject (): boolean {
  skipWhitespace()
  if (bytes[p] !== 125 /* } */) return false
  p++
  skipWhitespace()
  return true
}

function readNdarray (): NDArray | undefined {
  shape = []
  leafDim = -1
  if (bytes[p] !== 91 /* [ */ || !readArray(0)) return undefined
  return new NDArray(takeValues(), shape, sawFloat ? 'float64' : 'int64')
}

/** `{"shape":[ints],"values":[numbers]}` in either order, each key once. */
function readTensor (): { shape: number[], values: NDArray } | undefined {
  if (bytes[p] !== 123) return undefined
  p++
  skipWhitespace()
  let dims: number[] | undefined
  let values: NDArray | undefined
  for (let i = 0; i < 2; i++) {
    if (i === 1) {
      if (bytes[p] !== 44 /* , */) return undefined
      p++
      skipWhitespace()
    }
    if (dims === undefined && readKey(KEY_SHAPE)) {
      dims = readShape()
      if (dims === undefined) return undefined
    } else if (values === undefined && readKey(KEY_VALUES)) {
      shape = []
      leafDim = -1
      if (bytes[p] !== 91 || !readArray(0) || leafDim !== 0) return undefined
      values = new NDArray(takeValues(), shape, sawFloat ? 'float64' : 'int64')
    } else {
      return undefined
    }
    skipWhitespace()
  }
  if (!closeObject()) return undefined
  return { shape: dims as number[], values: values as NDArray }
}

/** A tensor's shape: a non-empty array of plain integers of at most 15 digits. */
function readShape (): number[] | undefined {
  if (bytes[p] !== 91) return undefined
  p++
  skipWhitespace()
  const dims: number[] = []
  for (;;) {
    let c = bytes[p] as number
    const negative = c === 45
    if (negative) c = bytes[++p] as number
    if (!(c >= 48 && c <= 57)) return undefined
    let n = 0
    let digits = 0
    do { n = n * 10 + (c - 48); digits++; c = bytes[++p] as number } while (c >= 48 && c <= 57)
    if (digits > 15 || c === 46 || c === 101 || c === 69) return undefined
    dims.push(negative ? -n : n)
    skipWhitespace()
    c = bytes[p] as number
    if (c === 44) { p++; skipWhitespace(); continue }
    if (c === 93) { p++; return dims }
    return undefined
  }
}

/**
 * The array at `p` (on its `[`) at nesting `dim`: either arrays all the way down to one depth,
 * whose elements are numbers, or numbers. Checks it is rectangular against `shape` as it goes.
 */
function readArray (dim: number): boolean {
  // The body's two objects count towards parseJson's depth limit: past it, let it say so.
  if (dim + 2 >= MAX_JSON_DEPTH) return false
  p++
  skipWhitespace()
  if (shape.length === dim) shape.push(-1) // first visit of this depth: its length comes at its end
  let n = 0
  if (bytes[p] === 91) {
    if (leafDim !== -1 && dim >= leafDim) return false
    for (;;) {
      if (bytes[p] !== 91 || !readArray(dim + 1)) return false
      n++
      skipWhitespace()
      const c = bytes[p]
      if (c === 44) { p++; skipWhitespace(); continue }
      if (c === 93) { p++; break }
      return false
    }
  } else {
    if (leafDim === -1) leafDim = dim
    else if (leafDim !== dim) return false
    n = readNumbers()
    if (n === 0) return false
  }
  if (shape[dim] === -1) shape[dim] = n
  else if (shape[dim] !== n) return false
  return true
}

/**
 * Numbers up to and including the `]`, appended to the scratch; returns how many (0: not a run of
 * plain numbers). The same scan as json-number-run.ts's parseNumberRun, over bytes: a significand
 * of at most 15 significant digits with no exponent is exact and so is 10^scale, so one division
 * gives the correctly rounded double (what JSON.parse and parseJson give); one of 16 or 17 digits
 * (a full-precision double, as numpy's tolist() writes them) goes to readSignificand; exponents
 * and longer literals are converted natively once the run is read (convertDeferred).
 *
 * Measured in a loop, 100,000 17-digit values from bytes to a Float64Array (2026-12-05): by one
 * JSON.parse of the run (the way before readLongDecimal) 11.3–13.3 ms, now 5.3–5.6 ms; JSON.parse
 * of the whole body, for comparison, 9.7–10.7 ms.
 */
function readNumbers (): number {
  // The cursor in a local for the loop (the module's `p` is stored back where others read it):
  // as a module binding every byte's increment was a store to memory. The 17-digit loop above:
  // 9.0 → 8.2 ms.
  const b = bytes
  let values = collecting
  let n = count
  const first = n
  let q = p
  let floats = false
  runStart = q
  runHasTokens = false
  deferredCount = 0
  let c = b[q] as number
  for (;;) {
    const start = q
    const negative = c === 45
    if (negative) c = b[++q] as number
    let value: number
    if (c >= 48 && c <= 57) {
      // The significant digits (leading zeros skipped) in two int32s, the first nine and the rest
      // (wrapping past 18 digits, when it is not used), so that a 16- or 17-digit significand is
      // at hand exactly for readSignificand without reading the literal again (re-reading it cost
      // 38 ns of the 80 per 17-digit value).
      let head = 0
      let tail = 0
      let digits = 0
      let scale = 0
      if (c === 48) {
        c = b[++q] as number // a lone 0 before the point
      } else {
        do {
          if (digits < 9) head = head * 10 + (c - 48)
          else tail = (tail * 10 + (c - 48)) | 0
          digits++
          c = b[++q] as number
        } while (c >= 48 && c <= 57)
      }
      let isFloat = false
      if (c === 46) {
        c = b[++q] as number
        if (!(c >= 48 && c <= 57)) return 0
        if (digits === 0) while (c === 48) { scale++; c = b[++q] as number }
        while (c >= 48 && c <= 57) {
          if (digits < 9) head = head * 10 + (c - 48)
          else tail = (tail * 10 + (c - 48)) | 0
          digits++
          scale++
          c = b[++q] as number
        }
        isFloat = true
      }
      if (c === 101 || c === 69) {
        c = b[++q] as number
        if (c === 43 || c === 45) c = b[++q] as number
        if (!(c >= 48 && c <= 57)) return 0
        do c = b[++q] as number; while (c >= 48 && c <= 57)
        isFloat = true
        value = deferLiteral(n, start, q)
      } else if (digits <= 15 && scale <= 22) {
        // exact, and so is 10^scale: one correctly rounded division (Clinger's fast path)
        const mantissa = digits <= 9 ? head : head * (POW10[digits - 9] as number) + tail
        value = scale === 0 ? mantissa : mantissa / (POW10[scale] as number)
        if (negative) value = -value
      } else if (!isFloat) {
        return 0 // an integer that may need a bigint: the general path decides
      } else {
        value = readSignificand(head, tail, digits, scale)
        if (Number.isNaN(value)) value = deferLiteral(n, start, q) // not ours to convert
        else if (negative) value = -value
      }
      if (isFloat) floats = true
    } else if (c === 73 || c === 78) { // Python's json accepts these tokens (docs/wire-format.md, "Numbers")
      p = q
      if (c === 73 && matches('Infinity')) value = negative ? -Infinity : Infinity
      else if (c === 78 && !negative && matches('NaN')) value = NaN
      else return 0
      q = p
      c = b[q] as number
      floats = true
      runHasTokens = true
    } else {
      return 0
    }
    if (n === values.length) values = growScratch(values, n)
    values[n++] = value
    while (c === 32 || c === 10 || c === 13 || c === 9) c = b[++q] as number
    if (c === 44) {
      c = b[++q] as number
      while (c === 32 || c === 10 || c === 13 || c === 9) c = b[++q] as number
      continue
    }
    if (c !== 93) return 0
    if (deferredCount !== 0) convertDeferred(values, first, n, q)
    p = q + 1
    if (floats) sawFloat = true
    count = n
    return n - first
  }
}

/**
 * Literals the scan does not convert itself (more than 15 digits, an exponent), by index in the
 * run and by where they start and end: converted once the run is known to be valid, in one native
 * call when there are many (convertDeferred).
 */
let deferredIndex = new Int32Array(1024)
let deferredStart = new Int32Array(1024)
let deferredEnd = new Int32Array(1024)
let deferredCount = 0
/** Where the run being read starts (its first element), for a native parse of all of it. */
let runStart = 0
/** The run holds a NaN or Infinity token, which JSON.parse does not read. */
let runHasTokens = false

/** Record the literal from `start` to `end` (element `index`); its value comes later: 0 until then. */
function deferLiteral (index: number, start: number, end: number): number {
  if (deferredCount === deferredIndex.length) {
    deferredIndex = grownInt32(deferredIndex)
    deferredStart = grownInt32(deferredStart)
    deferredEnd = grownInt32(deferredEnd)
  }
  deferredIndex[deferredCount] = index
  deferredStart[deferredCount] = start
  deferredEnd[deferredCount++] = end
  return 0
}

function grownInt32 (a: Int32Array): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(a.length * 2)
  grown.set(a)
  return grown
}

/**
 * Fill in the deferred literals of the run `values[first..n)`, whose `]` is at `close`.
 * Many of them (a run written with exponents, say): JSON.parse of the whole run, which converts
 * exactly as Number() does and measured 9 ms per 100,000 17-digit values against 12 ms for a
 * Number() of each literal's slice. A few, or a run with NaN/Infinity tokens: Number() of each
 * literal.
 */
function convertDeferred (values: Float64Array, first: number, n: number, close: number): void {
  const deferred = deferredCount
  const index = deferredIndex
  const starts = deferredStart
  const ends = deferredEnd
  deferredCount = 0
  if (index.length > MAX_KEPT_DEFERRED) {
    deferredIndex = new Int32Array(1024)
    deferredStart = new Int32Array(1024)
    deferredEnd = new Int32Array(1024)
  }
  if (!runHasTokens && deferred >= NATIVE_RUN_MIN) {
    const parsed = parseRunText(runStart, close) as number[] // the scan checked it is JSON
    for (let i = 0; i < n - first; i++) values[first + i] = parsed[i] as number
    return
  }
  for (let d = 0; d < deferred; d++) values[index[d] as number] = Number(latin1(starts[d] as number, ends[d] as number))
}

/** The run from its first element at `first` to its `]` at `close`, by JSON.parse (which may throw). */
function parseRunText (first: number, close: number): unknown[] {
  return JSON.parse('[' + latin1(first, close + 1)) as unknown[]
}

/** Deferred literals from which a run is converted by one JSON.parse. */
const NATIVE_RUN_MIN = 32
/** Entries the deferred-literal arrays keep between runs; larger ones are let go after use. */
const MAX_KEPT_DEFERRED = 1 << 16

/** True and past the token when the bytes at `p` spell it. */
function matches (token: string): boolean {
  if (!spells(bytes, p, token)) return false
  p += token.length
  return true
}

/** The body's bytes [start, end) as a string (ASCII there: the scan checked). */
function latin1 (start: number, end: number): string {
  return latin1Text.call(bytes, start, end)
}

/** A larger array holding `values[0..n)`, with room for at least `needed` values. */
function growScratch (values: Float64Array<ArrayBuffer>, n: number, needed = n + 1): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(Math.max(values.length * 2, needed))
  grown.set(values.subarray(0, n))
  if (grown.length <= MAX_SCRATCH) scratch = grown
  collecting = grown
  return grown
}

/** The collected values as the array's own Float64Array (one memcpy out of the scratch). */
function takeValues (): Float64Array {
  return collecting.slice(0, count)
}
