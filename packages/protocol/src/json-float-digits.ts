/**
 * The shortest decimal that reads back as a double, written into bytes: what JS's `String(x)` and
 * Python's `repr(x)` both print for a fractional x in Python's fixed-notation range [1e-4, 1e16).
 * Two printers, each answering -1 (nothing written) for a number it does not take:
 *
 * - writeShortDecimal: at most 12 significant digits (data as clients write it, `523.456`).
 * - writeLongDecimal: 13 to 17 digits (computed results, numpy's `tolist()`, float32 widened).
 *
 * Both find the digits with double arithmetic that is exact where it matters, so no big integers
 * and no string of the number is made. writeLongDecimal replaced V8's JSON.stringify in batches
 * of 1,024, the fastest native printer: in a loop over 100,000 17-digit values (2026-12-05) it
 * takes 69 ns per value, against 100 ns for those batches, 87 ns for `String(x)` and 105 ns for a
 * typed array's `join` (BENCHMARKS.md, "Issue 18, item 4: full precision in JavaScript").
 *
 * readLongDecimal is the other direction, for the JSON readers: a 16- or 17-digit decimal to the
 * double JSON.parse gives, checked with the same exact product.
 */
/** Exact powers of ten: every 10^k with k <= 22 is a double, the heart of the fast paths. */
export const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

/** ASCII of "00".."99": two digits per division. */
const DIGIT_PAIRS = new Uint8Array(200)
for (let i = 0; i < 100; i++) {
  DIGIT_PAIRS[2 * i] = 48 + Math.floor(i / 10)
  DIGIT_PAIRS[2 * i + 1] = 48 + (i % 10)
}

/** The 12 significant digits of the number writeShortDecimal is printing. */
const digits = new Uint8Array(12)

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
export function writeShortDecimal (out: Uint8Array, pos: number, x: number): number {
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

// ---------------------------------------------------------------------------------------------
// 13 to 17 digits
// ---------------------------------------------------------------------------------------------

/** Veltkamp's splitter for doubles: 2^27 + 1. */
const SPLITTER = 134217729
/** 10^s split into halves of at most 26 bits each (Dekker's exact product needs them). */
const POW10_HIGH = POW10.map((t) => { const c = SPLITTER * t; return c - (c - t) })
const POW10_LOW = POW10.map((t, i) => t - (POW10_HIGH[i] as number))
/** 1 / 10^t, to find multiples of 10^t by multiplication (the result is corrected after). */
const INVERSE_POW10 = POW10.map((t) => 1 / t)
/** 10^(i - 30): the decimal exponent's neighbours, for a < 1 as well. */
const DECADE = Float64Array.from({ length: 60 }, (_, i) => Number(`1e${i - 30}`))
/** 2^(i - POW2_BIAS), for the half-ulps of the doubles handled here (2^-73 to 2^4). */
const POW2_BIAS = 100
const POW2 = Float64Array.from({ length: 2 * POW2_BIAS + 1 }, (_, i) => 2 ** (i - POW2_BIAS))
/** A double's bits. */
const bits = new Float64Array(1)
const bitWords = new Uint32Array(bits.buffer)
/** Which of the two words holds the sign, exponent and top of the significand (the byte order). */
const HIGH = new Uint32Array(new Float64Array([1]).buffer)[1] === 0x3ff00000 ? 1 : 0

/**
 * Computed values whose decisions fall this close to a boundary are left to the caller. The
 * values compared are exact to 2^-47, and no decimal of 17 digits or fewer lies on a rounding
 * boundary of a fractional double (a midpoint between two doubles below 2^52 needs 18 or more
 * digits), so for the printer this only guards the arithmetic: the tests' random doubles never
 * reach it.
 */
const GUARD = 1e-9

function nearInteger (v: number): boolean {
  const f = v - Math.floor(v)
  return f < GUARD || f > 1 - GUARD
}

/**
 * Dekker's exact product: for `hi` = x·10^s as rounded (s <= 22, 10^s exact), the `lo` with
 * x·10^s = hi + lo exactly. x and 10^s are split into halves of at most 26 bits, whose products
 * are exact. Both directions, printing and reading, check their answer with it.
 */
function productError (x: number, s: number, hi: number): number {
  const c = SPLITTER * x
  const xHigh = c - (c - x)
  const xLow = x - xHigh
  const tHigh = POW10_HIGH[s] as number
  const tLow = POW10_LOW[s] as number
  return ((xHigh * tHigh - hi) + xHigh * tLow + xLow * tHigh) + xLow * tLow
}

/**
 * Write `x` at `pos` when it is a fractional number in [1e-4, 1e16) (either sign) whose shortest
 * round-trip decimal has 13 to 17 significant digits, as JS and Python print it; return the
 * position after it, or -1 (nothing written) for any other number, shorter ones included.
 *
 * The method, with a = |x| in [10^(k-1), 10^k) and s = 17 - k:
 * - P = a·10^s lies in [10^16, 10^17). It is computed exactly, as hi + lo, by Dekker's product:
 *   10^s is exact for s <= 22, so nothing is rounded.
 * - The decimals that read back as a are those inside a's rounding interval, P ± half an ulp of a
 *   times 10^s in units of the 17th digit; that half-width is exact (a power of two times 10^s).
 * - Among the integers inside, the one with the most trailing zeros gives the fewest digits; of
 *   two with as many, the one nearer P (a tie: the even one, as JS and Python choose). With 17
 *   digits the nearest integer to P is always inside. The interval is at most 22.2 wide, so only a
 *   few candidates exist at each length.
 * - The 17 digits are handled as two integers below 2^31 (9 and 8 digits), with carries.
 */
export function writeLongDecimal (out: Uint8Array, pos: number, x: number): number {
  const a = x < 0 ? -x : x
  if (!(a >= 1e-4 && a < 1e16)) return -1
  bits[0] = a
  const binaryExponent = ((bitWords[HIGH] as number) >>> 20) - 1023 // a in [2^e, 2^(e+1))
  let k = Math.floor(binaryExponent * 0.3010299956639812) + 1 // log10(2): k or k - 1, fixed next
  if (a >= (DECADE[k + 30] as number)) k++
  else if (a < (DECADE[k + 29] as number)) k--
  const s = 17 - k
  const scale = POW10[s] as number
  const hi = a * scale
  if (!(hi >= 1e16 && hi < 1e17)) return -1
  const lo = productError(a, s, hi)
  // Half an ulp of a, in units of P's last digit: the rounding interval's half-width. Below a power
  // of two the interval is half as wide, but the fractional powers of two in range (2^-1 to 2^-13)
  // are exact decimals of at most 10 digits, which that cannot change: one width serves.
  const halfWidth = (POW2[binaryExponent - 53 + POW2_BIAS] as number) * scale
  // m17 = hi + r, the integer nearest P; delta = P - m17, exactly: outside (-0.5, 0.5), lo and
  // floor(lo) are within a factor of two of each other, and so are a fraction in [0.5, 1) and 1
  // (Sterbenz), so neither subtraction rounds. Math.floor costs a fifth of Math.round here.
  let r = 0
  let delta = lo
  if (!(lo > -0.5 && lo < 0.5)) {
    r = Math.floor(lo)
    delta = lo - r
    if (delta >= 0.5) { r++; delta -= 1 }
  }
  // delta is in [-0.5, 0.5); at -0.5, m17 and m17 - 1 tie
  const lowOffset = delta - halfWidth
  const highOffset = delta + halfWidth
  if (nearInteger(lowOffset) || nearInteger(highOffset)) return -1
  const minOffset = Math.floor(lowOffset) + 1 // the integers m17 + o inside: o in [min, max]
  const maxOffset = Math.ceil(highOffset) - 1
  // m17 = top·10^8 + rest
  let top = Math.floor(hi * 1e-8)
  let rest = hi - top * 1e8 + r // top·10^8 is exact (top < 10^9, 10^8 = 5^8·2^8): so is this
  for (let i = 0; i < 2 && (rest < 0 || rest >= 1e8); i++) {
    if (rest < 0) { top--; rest += 1e8 } else { top++; rest -= 1e8 }
  }
  if (rest < 0 || rest >= 1e8) return -1
  let chosen = delta === -0.5 && (rest % 2) === 1 ? rest - 1 : rest
  if (chosen - rest < minOffset || chosen - rest > maxOffset) return -1
  const first = rest + minOffset
  const last = rest + maxOffset
  let zeros = 0
  for (;;) {
    const unit = POW10[zeros + 1] as number
    let m = Math.ceil(first * (INVERSE_POW10[zeros + 1] as number)) * unit // the first multiple of unit from `first`
    if (m < first) m += unit
    else if (m - unit >= first) m -= unit
    if (m > last) break
    zeros++
    if (zeros >= 5) return -1 // 12 digits or fewer: writeShortDecimal's
    if (m + unit <= last) { // two candidates: the one nearer P
      const d1 = Math.abs(m - rest - delta)
      const d2 = Math.abs(m + unit - rest - delta)
      if (Math.abs(d1 - d2) >= GUARD) chosen = d1 < d2 ? m : m + unit
      else if (delta === 0) chosen = Math.round(m * (INVERSE_POW10[zeros] as number)) % 2 === 0 ? m : m + unit // P = m + unit/2: the even one
      else return -1
    } else {
      chosen = m
    }
  }
  if (chosen < 0) { top--; chosen += 1e8 } else if (chosen >= 1e8) { top++; chosen -= 1e8 }
  const count = 17 - zeros
  if (top < 1e8 || top >= 1e9 || k >= count) return -1
  if (x < 0) out[pos++] = 0x2d // -
  let start = pos
  if (k >= 1) {
    start++ // the integer digits are moved back over this byte below, and the point put after them
  } else {
    out[pos++] = 0x30 // 0
    out[pos++] = 0x2e // .
    for (let i = k; i < 0; i++) out[pos++] = 0x30
    start = pos
  }
  const leading = Math.floor(top / 1e8)
  out[start] = 48 + leading
  writeEightDigits(out, start + 1, (top - leading * 1e8) | 0)
  writeEightDigits(out, start + 9, chosen | 0)
  if (k >= 1) {
    for (let i = 0; i < k; i++) out[pos + i] = out[pos + 1 + i] as number
    out[pos + k] = 0x2e // .
  }
  return start + count
}

/** The six decimal digits of `n` (0 <= n < 10^6, leading zeros written) at `at`. */
function writeSixDigits (into: Uint8Array, at: number, n: number): void {
  const top = (n / 10000) | 0
  const rest = n - top * 10000
  writeDigitPair(into, at, top)
  writeFourDigits(into, at + 2, rest)
}

/** The eight decimal digits of `n` (0 <= n < 10^8, leading zeros written) at `at`. */
function writeEightDigits (into: Uint8Array, at: number, n: number): void {
  const top = (n / 10000) | 0
  writeFourDigits(into, at, top)
  writeFourDigits(into, at + 4, n - top * 10000)
}

function writeFourDigits (into: Uint8Array, at: number, n: number): void {
  const top = (n / 100) | 0
  writeDigitPair(into, at, top)
  writeDigitPair(into, at + 2, n - top * 100)
}

function writeDigitPair (into: Uint8Array, at: number, n: number): void {
  into[at] = DIGIT_PAIRS[2 * n] as number
  into[at + 1] = DIGIT_PAIRS[2 * n + 1] as number
}

// ---------------------------------------------------------------------------------------------
// Reading 16 and 17 digits
// ---------------------------------------------------------------------------------------------

/**
 * The double of a decimal literal whose `digits` significant digits are `head` (the first nine)
 * then `tail` (the rest), over 10^`fraction` (the digits after its point, leading zeros included):
 * readLongDecimal of it as 17 digits, for the JSON readers. NaN for fewer than 10 or more than 17
 * digits, and below ~1e-6 (10^s past 10^22): the caller converts those natively.
 */
export function readSignificand (head: number, tail: number, digits: number, fraction: number): number {
  const s = fraction + 17 - digits
  if (digits < 10 || digits > 17 || s > 22) return NaN
  return readLongDecimal(head, tail * (POW10[17 - digits] as number), s)
}

/**
 * The double nearest to `high·10^8 + low` (a 17-digit integer: high has 9 digits, low 8) times
 * 10^-s, for 0 <= s <= 22: what JSON.parse and Number() give for that decimal. NaN when the
 * answer is too close to call with this arithmetic (the caller converts natively): never seen
 * in the tests' millions of literals.
 *
 * A first guess, rounded twice, is within an ulp or two; it is checked exactly, and moved an ulp
 * at a time: with P = guess·10^s computed exactly (Dekker's product, hi + lo), the decimal reads
 * back as the guess when it lies inside the guess's rounding interval, |m - P| < half an ulp ·
 * 10^s (the lower half is half as wide at a power of two). m - P is exact up to its last step:
 * high·10^8 is exact (10^8 = 5^8·2^8), its difference with hi is exact (Sterbenz), and so is
 * adding low. Below 2^52 a decimal of 17 digits is never on the boundary itself (a midpoint
 * between two doubles there has more digits), so the GUARD band only absorbs the last rounding;
 * from 2^52 the midpoints are the x.5 ones, and those ties are the caller's.
 */
export function readLongDecimal (high: number, low: number, s: number): number {
  const scale = POW10[s] as number
  let guess = (high * 1e8 + low) / scale
  for (let step = 0; step < 3; step++) {
    const hi = guess * scale
    const lo = productError(guess, s, hi)
    const diff = ((high * 1e8 - hi) + low) - lo // m - P
    bits[0] = guess
    const highWord = bitWords[HIGH] as number
    const halfUlp = POW2[(highWord >>> 20) - 1076 + POW2_BIAS] as number // half the spacing above guess
    const powerOfTwo = (highWord & 0xfffff) === 0 && bitWords[1 - HIGH] === 0
    const above = halfUlp * scale
    const below = powerOfTwo ? above / 2 : above
    if (Math.abs(diff - above) < GUARD || Math.abs(diff + below) < GUARD) return NaN
    if (diff >= above) guess += 2 * halfUlp // the next double up
    else if (diff <= -below) guess -= powerOfTwo ? halfUlp : 2 * halfUlp // the next one down
    else return guess
  }
  return NaN
}
