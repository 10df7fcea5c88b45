/**
 * The JSON writer's fast path for the bulk of Seldon answers: a run of floats (a tensor's
 * `values`, an ndarray row) printed as Python prints them, straight from the numbers into bytes.
 *
 * Most numbers in a payload are short decimals: data as clients write it (`5.1`, `523.456`) and
 * what simple arithmetic keeps short. For a fractional number of at most 12 significant digits in
 * Python's fixed-notation range, the shortest round-trip digits are found with one rounded
 * multiplication, checked with one division, and written by integer arithmetic; integral values
 * get their digits and `.0` the same way. Fractional numbers that need more digits (computed
 * results, float32 widened) are printed by V8's JSON.stringify in batches, as before this file;
 * the rest (exponent form, -0, NaN...) by formatFloat.
 *
 * Measured in one process (2026-12-04), stringifyJson of a 100,000-value typed array and the
 * conversion to bytes a server does, before this file and with it: three-decimal numbers 10.1 →
 * 5.1 ms, integral values 3.8 → 2.0 ms; 17-digit values (13.0 ms) and float32 values (12.8 ms)
 * unchanged. bench/codec.mjs's JSON round trip of the tensor went from 14.4 to 9.4 ms.
 */
import { POW10 } from './json-number-run.js'
import { formatFloat } from './py-number.js'

/** ASCII of "00".."99": two digits per division. */
const DIGIT_PAIRS = new Uint8Array(200)
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + Math.floor(i / 10)
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10)
}

/** The 12 significant digits of the number being printed. */
const digits = new Uint8Array(12)

/**
 * Where text is printed, handed over as a string piece whenever it is nearly full. A small buffer
 * that stays in the CPU's cache, rather than one the size of the answer. Server CPU per request
 * (bench/paired.mjs, 4 processes each, 2026-12-04): the 100×1000 ndarray printed into one 2.5 MB
 * buffer 11.0 ms, row by row 8.9 ms, in 64 KiB pieces 8.1 ms; the 100k tensor in one buffer
 * 10.5 ms, in pieces 8.9 ms.
 */
const out = Buffer.allocUnsafe(64 * 1024)
/** Most bytes one element takes: `-2.2250738585072014e-308` and its comma. */
const MAX_ELEMENT_BYTES = 25
/** Room kept free at the end of `out` for one element, or a bracket and a comma. */
const FLUSH_AT = out.length - MAX_ELEMENT_BYTES - 8

/**
 * After this many numbers in a row the short path could not print (17-digit results, float32
 * widened), a run stops trying it but once every SHORT_PROBE_EVERY elements: such runs then cost
 * what V8's printer costs, not that plus a failed attempt per number.
 */
const SHORT_MISS_LIMIT = 8
const SHORT_PROBE_EVERY = 256
/** Fractional numbers the short path could not print, printed by one JSON.stringify per batch. */
const NATIVE_BATCH = 1024
const nativeBatch: number[] = []

/** Rows shorter than this give up when their numbers need V8's printer (see printFloatBlock). */
const SHORT_ROW = 16

// The print in progress (synchronous, never re-entered): the text handed over so far and the
// misses of the short path.
let printed = ''
let misses = 0

/**
 * `[x,y,...]` for `data[start..end)`, every element a number printed as Python's float repr
 * (formatFloat). Returns undefined when an element is not a number: the caller prints such a run
 * its own way.
 */
export function printFloatRun (data: ArrayLike<unknown>, start: number, end: number): string | undefined {
  begin()
  return finish(writeRow(data, start, end, 0, false))
}

/**
 * The nested arrays of `shape` over the flat `data` (row-major), every element printed as in
 * printFloatRun. Undefined, for the caller to print its own way, when an element is not a number,
 * and when rows shorter than SHORT_ROW turn out to hold numbers the short path cannot print:
 * V8's printer is then faster per batch of rows (json-stringify.ts) than per short row here.
 */
export function printFloatBlock (data: ArrayLike<unknown>, shape: readonly number[]): string | undefined {
  if (shape.length === 0 || shape.includes(0)) return undefined
  begin()
  return finish(writeDim(data, shape, 0, 0, 0))
}

function begin (): void {
  printed = ''
  misses = 0
  nativeBatch.length = 0
}

/** The text printed, or undefined when the print gave up (-1). */
function finish (end: number): string | undefined {
  const text = end < 0 ? undefined : printed + out.toString('latin1', 0, end)
  printed = ''
  return text
}

/** Hand the buffer's text over; the next byte goes at 0. */
function flush (pos: number): number {
  printed += out.toString('latin1', 0, pos)
  return 0
}

function writeDim (data: ArrayLike<unknown>, shape: readonly number[], dim: number, offset: number, pos: number): number {
  const n = shape[dim] as number
  if (dim === shape.length - 1) return writeRow(data, offset, offset + n, pos, n < SHORT_ROW)
  let stride = 1
  for (let d = dim + 1; d < shape.length; d++) stride *= shape[d] as number
  if (pos > FLUSH_AT) pos = flush(pos)
  out[pos++] = 0x5b // [
  for (let i = 0; i < n; i++) {
    if (i !== 0) out[pos++] = 0x2c
    pos = writeDim(data, shape, dim + 1, offset + i * stride, pos)
    if (pos < 0) return -1
    if (pos > FLUSH_AT) pos = flush(pos)
  }
  out[pos++] = 0x5d // ]
  return pos
}

/** `[...]` of `data[start..end)` at `pos`; the position after it, or -1 to give up (see callers). */
function writeRow (data: ArrayLike<unknown>, start: number, end: number, pos: number, shortRow: boolean): number {
  const o = out // a local, not the module binding, in the hot loop
  if (pos > FLUSH_AT) pos = flush(pos)
  o[pos++] = 0x5b // [
  let empty = true
  for (let i = start; i < end; i++) {
    if (pos > FLUSH_AT) pos = flush(pos)
    const x = data[i]
    if (typeof x !== 'number') return -1
    const a = x < 0 ? -x : x
    if (a >= 1e-4 && a < 1e16 && Math.floor(a) !== a) {
      // fractional in the fixed range: JS's shortest digits are Python's repr
      if (misses < SHORT_MISS_LIMIT || (i & (SHORT_PROBE_EVERY - 1)) === 0) {
        if (nativeBatch.length !== 0) { pos = writeNativeBatch(pos, empty); empty = false }
        const next = writeShortDecimal(o, empty ? pos : comma(o, pos), x)
        if (next >= 0) {
          pos = next
          misses = 0
          empty = false
          continue
        }
        misses++
      }
      if (shortRow && misses >= SHORT_MISS_LIMIT) return -1
      nativeBatch.push(x)
      if (nativeBatch.length === NATIVE_BATCH) { pos = writeNativeBatch(pos, empty); empty = false }
      continue
    }
    if (nativeBatch.length !== 0) { pos = writeNativeBatch(pos, empty); empty = false }
    if (!empty) pos = comma(o, pos)
    empty = false
    if (a < 2147483648 && Math.floor(a) === a && (x !== 0 || 1 / x > 0)) {
      pos = writeInt32(o, pos, x)
      o[pos++] = 0x2e // .
      o[pos++] = 0x30 // 0
    } else {
      pos += o.write(formatFloat(x), pos, 'latin1')
    }
  }
  if (nativeBatch.length !== 0) pos = writeNativeBatch(pos, empty)
  if (pos > FLUSH_AT) pos = flush(pos)
  o[pos++] = 0x5d // ]
  return pos
}

function comma (o: Buffer, pos: number): number {
  o[pos] = 0x2c
  return pos + 1
}

/** The batch of numbers V8 prints, after a comma unless the row is still empty. */
function writeNativeBatch (pos: number, empty: boolean): number {
  const text = JSON.stringify(nativeBatch)
  nativeBatch.length = 0
  if (pos + text.length > FLUSH_AT) pos = flush(pos) // at most 1024 × 25 bytes: it fits an empty buffer
  if (!empty) pos = comma(out, pos)
  return pos + out.write(text.slice(1, -1), pos, 'latin1')
}

/** The digits of an integral `x` with |x| < 2^31. */
function writeInt32 (out: Buffer, pos: number, x: number): number {
  let n = x | 0
  if (n < 0) {
    out[pos++] = 0x2d // -
    n = -n
  }
  let length = 1
  for (let t = n; t >= 10; t = (t / 10) | 0) length++
  let at = pos + length
  do {
    const q = (n / 10) | 0
    out[--at] = 48 + n - q * 10
    n = q
  } while (n !== 0)
  return pos + length
}

/** 10^-n for a < 1: where each count of leading zeros after the point begins. */
const NEGATIVE_POW10 = [1, 1e-1, 1e-2, 1e-3, 1e-4]

/**
 * Write `x` at `pos` when it is a fractional number in Python's fixed range with at most 12
 * significant digits; return the position after it, or -1 (nothing written) for any other number.
 *
 * Why it is exact: with `a = |x|` in [10^(k-1), 10^k), `a·10^(12-k)` is below 2^40, so its
 * rounding error is under 2^-13, far less than the distance from the nearest integer M to a
 * decimal that rounds to another double. If x has a representation with at most 12 significant
 * digits, M is it followed by zeros; stripping them gives the fewest digits, the ones JS and Python
 * print (there is only one candidate at that length, the rounding interval being narrower than 1).
 * The division check `m / 10^d === a` (correctly rounded, like parsing the decimal) confirms M
 * round-trips; when it does not, x needs more than 12 digits and the caller prints it.
 */
function writeShortDecimal (out: Uint8Array, pos: number, x: number): number {
  const a = x < 0 ? -x : x
  if (!(a >= 1e-4 && a < 1e11)) return -1
  let k = 1 // digits before the point, <= 0 for a < 1 (a in [10^(k-1), 10^k))
  if (a >= 1) {
    while (a >= (POW10[k] as number)) k++
  } else {
    k = 0
    while (a < (NEGATIVE_POW10[1 - k] as number)) k--
  }
  const scale = 12 - k
  const m12 = Math.round(a * (POW10[scale] as number))
  if (m12 < 1e11 || m12 >= 1e12) return -1 // a rounded across a power of ten: let the caller print it
  // Both halves fit an int32 (| 0): the digit loops below then use integer division.
  const high = Math.floor(m12 / 1e6) | 0 // six digits
  const low = (m12 - high * 1e6) | 0 // six digits, leading zeros included
  let zeros = 0
  let significand: number
  if (low === 0) {
    let h = high
    zeros = 6
    while (h % 10 === 0) { h = (h / 10) | 0; zeros++ }
    significand = h
  } else {
    let l = low
    while (l % 10 === 0) { l = (l / 10) | 0; zeros++ }
    significand = high * (POW10[6 - zeros] as number) + l
  }
  const decimals = scale - zeros
  if (decimals <= 0 || significand / (POW10[decimals] as number) !== a) return -1
  writeSixDigits(digits, 0, high)
  writeSixDigits(digits, 6, low)
  const count = 12 - zeros
  if (x < 0) out[pos++] = 0x2d // -
  if (k >= 1) {
    for (let i = 0; i < k; i++) out[pos++] = digits[i] as number
    out[pos++] = 0x2e // .
    for (let i = k; i < count; i++) out[pos++] = digits[i] as number
  } else {
    out[pos++] = 0x30 // 0
    out[pos++] = 0x2e // .
    for (let i = k; i < 0; i++) out[pos++] = 0x30
    for (let i = 0; i < count; i++) out[pos++] = digits[i] as number
  }
  return pos
}

/** The six decimal digits of `n` (0 <= n < 10^6, leading zeros written) at `at`. */
function writeSixDigits (into: Uint8Array, at: number, n: number): void {
  const top = (n / 10000) | 0
  const rest = n - top * 10000
  const mid = (rest / 100) | 0
  const bottom = rest - mid * 100
  into[at] = DIGIT_PAIRS[2 * top] as number
  into[at + 1] = DIGIT_PAIRS[2 * top + 1] as number
  into[at + 2] = DIGIT_PAIRS[2 * mid] as number
  into[at + 3] = DIGIT_PAIRS[2 * mid + 1] as number
  into[at + 4] = DIGIT_PAIRS[2 * bottom] as number
  into[at + 5] = DIGIT_PAIRS[2 * bottom + 1] as number
}
