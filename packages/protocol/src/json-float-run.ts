/**
 * The JSON writer's fast path for the bulk of Seldon answers: a run of floats (a tensor's
 * `values`, an ndarray row) printed as Python prints them, straight from the numbers into bytes.
 *
 * Most numbers in a payload are short decimals: data as clients write it (`5.1`, `523.456`) and
 * what simple arithmetic keeps short. For a fractional number of at most 12 significant digits in
 * Python's fixed-notation range, the shortest round-trip digits are found with one rounded
 * multiplication, checked with one division, and written by integer arithmetic. Every other number
 * (17-digit results, float32 widened, integral values, exponent form) is printed by formatFloat,
 * as before.
 *
 * Measured (bench/codec.mjs, 100,000 values with three decimals, this repository's tensor payload):
 * 5 ms per run here against 11–14 ms for V8's JSON.stringify of the same numbers, the previous
 * way and the bare Fastify route's floor; runs of 17-digit numbers cost what they did.
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

/** Where runs are printed: kept between calls while at most this size. */
const MAX_KEPT_SCRATCH = 8 << 20
let scratch = Buffer.allocUnsafe(64 * 1024)

/** Most bytes one element takes: `-2.2250738585072014e-308` and its comma. */
const MAX_ELEMENT_BYTES = 25

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

/**
 * `[x,y,...]` for `data[start..end)`, every element a number printed as Python's float repr
 * (formatFloat). Returns undefined, having written nothing that counts, when an element is not a
 * number: the caller prints such a run its own way.
 */
export function printFloatRun (data: ArrayLike<unknown>, start: number, end: number): string | undefined {
  const out = reserve((end - start) * MAX_ELEMENT_BYTES + 2)
  let pos = 1
  out[0] = 0x5b // [
  let misses = 0
  nativeBatch.length = 0
  for (let i = start; i < end; i++) {
    const x = data[i]
    if (typeof x !== 'number') return undefined
    const a = x < 0 ? -x : x
    if (a >= 1e-4 && a < 1e16 && Math.floor(a) !== a) {
      // fractional in the fixed range: JS's shortest digits are Python's repr
      if (misses < SHORT_MISS_LIMIT || (i & (SHORT_PROBE_EVERY - 1)) === 0) {
        if (nativeBatch.length !== 0) pos = writeNativeBatch(out, pos)
        const next = writeShortDecimal(out, pos === 1 ? pos : comma(out, pos), x)
        if (next >= 0) {
          pos = next
          misses = 0
          continue
        }
        misses++
      }
      nativeBatch.push(x)
      if (nativeBatch.length === NATIVE_BATCH) pos = writeNativeBatch(out, pos)
      continue
    }
    if (nativeBatch.length !== 0) pos = writeNativeBatch(out, pos)
    if (pos !== 1) pos = comma(out, pos)
    if (a < 2147483648 && Math.floor(a) === a && (x !== 0 || 1 / x > 0)) {
      pos = writeInt32(out, pos, x)
      out[pos++] = 0x2e // .
      out[pos++] = 0x30 // 0
    } else {
      pos += out.write(formatFloat(x), pos, 'latin1')
    }
  }
  if (nativeBatch.length !== 0) pos = writeNativeBatch(out, pos)
  out[pos++] = 0x5d // ]
  return out.toString('latin1', 0, pos)
}

function comma (out: Buffer, pos: number): number {
  out[pos] = 0x2c
  return pos + 1
}

function writeNativeBatch (out: Buffer, pos: number): number {
  const text = JSON.stringify(nativeBatch)
  nativeBatch.length = 0
  if (pos !== 1) pos = comma(out, pos)
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

function reserve (bytes: number): Buffer {
  if (bytes <= scratch.length) return scratch
  const grown = Buffer.allocUnsafe(Math.max(bytes, scratch.length * 2))
  if (grown.length <= MAX_KEPT_SCRATCH) scratch = grown
  return grown
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
