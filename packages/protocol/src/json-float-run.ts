/**
 * The JSON writer's fast path for the bulk of Seldon answers: a run of floats (a tensor's
 * `values`, an ndarray row) printed as Python prints them, straight from the numbers into bytes.
 *
 * A fractional number in Python's fixed-notation range gets its shortest round-trip digits from
 * json-float-digits.ts: short decimals (data as clients write it, `5.1`, `523.456`) from
 * writeShortDecimal, 13 to 17 digits (computed results, float32 widened) from writeLongDecimal.
 * Integral values get their digits and `.0` by integer arithmetic; the rest (exponent form, -0,
 * NaN...) come from formatFloat.
 *
 * Measured in one process (2026-12-04), stringifyJson of a 100,000-value typed array and the
 * conversion to bytes a server does, before the short printer and with it: three-decimal numbers
 * 10.1 → 5.1 ms, integral values 3.8 → 2.0 ms. bench/codec.mjs's JSON round trip of the tensor went
 * from 14.4 to 9.4 ms. Longer numbers were printed by V8's JSON.stringify in batches of 1,024
 * until writeLongDecimal (BENCHMARKS.md, "Issue 18, item 4: full precision in JavaScript").
 */
import { writeLongDecimal, writeShortDecimal } from './json-float-digits.js'
import { formatFloat } from './py-number.js'

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
 * After this many numbers in a row the short printer could not print (17-digit results, float32
 * widened), a run goes to the long printer first, trying the short one first only once every
 * SHORT_PROBE_EVERY elements: such runs then cost one printer per number, not two.
 */
const SHORT_MISS_LIMIT = 8
const SHORT_PROBE_EVERY = 256

// The print in progress (synchronous, never re-entered): the text handed over so far and the
// misses of the short printer.
let printed = ''
let misses = 0

/**
 * `[x,y,...]` for `data[start..end)`, every element a number printed as Python's float repr
 * (formatFloat). Returns undefined when an element is not a number: the caller prints such a run
 * its own way.
 */
export function printFloatRun (data: ArrayLike<unknown>, start: number, end: number): string | undefined {
  begin()
  return finish(writeRow(data, start, end, 0))
}

/**
 * The nested arrays of `shape` over the flat `data` (row-major), every element printed as in
 * printFloatRun. Undefined, for the caller to print its own way, when an element is not a number.
 */
export function printFloatBlock (data: ArrayLike<unknown>, shape: readonly number[]): string | undefined {
  if (shape.length === 0 || shape.includes(0)) return undefined
  begin()
  return finish(writeDim(data, shape, 0, 0, 0))
}

/**
 * `[..],[..],...` (no outer brackets) for `rows`, plain arrays of numbers, each printed as in
 * printFloatRun. Undefined, for the caller to print its own way, when an element is not a number.
 */
export function printFloatRows (rows: ReadonlyArray<ArrayLike<unknown>>): string | undefined {
  begin()
  let pos = 0
  for (let r = 0; r < rows.length && pos >= 0; r++) {
    if (r !== 0) out[pos++] = 0x2c // ,
    const row = rows[r] as ArrayLike<unknown>
    pos = writeRow(row, 0, row.length, pos)
    if (pos > FLUSH_AT) pos = flush(pos)
  }
  return finish(pos)
}

function begin (): void {
  printed = ''
  misses = 0
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
  if (dim === shape.length - 1) return writeRow(data, offset, offset + n, pos)
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

/** `[...]` of `data[start..end)` at `pos`; the position after it, or -1 for a non-number element. */
function writeRow (data: ArrayLike<unknown>, start: number, end: number, pos: number): number {
  const o = out // a local, not the module binding, in the hot loop
  if (pos > FLUSH_AT) pos = flush(pos)
  o[pos++] = 0x5b // [
  for (let i = start; i < end; i++) {
    if (pos > FLUSH_AT) pos = flush(pos)
    const x = data[i]
    if (typeof x !== 'number') return -1
    if (i !== start) o[pos++] = 0x2c // ,
    const a = x < 0 ? -x : x
    if (a >= 1e-4 && a < 1e16 && Math.floor(a) !== a) {
      // fractional in the fixed range: JS's shortest digits are Python's repr
      pos = writeFraction(o, pos, x, i)
    } else if (a < 2147483648 && Math.floor(a) === a && (x !== 0 || 1 / x > 0)) {
      pos = writeInt32(o, pos, x)
      o[pos++] = 0x2e // .
      o[pos++] = 0x30 // 0
    } else {
      pos += o.write(formatFloat(x), pos, 'latin1')
    }
  }
  if (pos > FLUSH_AT) pos = flush(pos)
  o[pos++] = 0x5d // ]
  return pos
}

/**
 * A fractional number of the fixed range at `pos`, element `i` of its run: the short printer
 * first while it has been hitting, the long one first after SHORT_MISS_LIMIT misses in a row.
 */
function writeFraction (o: Buffer, pos: number, x: number, i: number): number {
  let next: number
  if (misses < SHORT_MISS_LIMIT || (i & (SHORT_PROBE_EVERY - 1)) === 0) {
    next = writeShortDecimal(o, pos, x)
    if (next >= 0) {
      misses = 0
      return next
    }
    misses++
    next = writeLongDecimal(o, pos, x)
  } else {
    next = writeLongDecimal(o, pos, x)
    if (next < 0) next = writeShortDecimal(o, pos, x)
  }
  // Neither: a decision the long printer leaves to the engine (see its GUARD); never seen in tests
  return next >= 0 ? next : pos + o.write(formatFloat(x), pos, 'latin1')
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
