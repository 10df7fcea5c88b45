/**
 * The two digit printers of src/json-float-digits.ts, called directly, against the engine's own
 * shortest round-trip printer: in Python's fixed range [1e-4, 1e16) a fractional double's JS
 * `String(x)` has the digits and the layout of Python's `repr(x)` (json-properties.test.ts checks
 * the printers through stringifyJson against an exact-decimal oracle of repr). And its reader,
 * readLongDecimal, against `Number()` on the decimals hardest to round.
 */
import t from 'tap'
import fc from 'fast-check'
import { readLongDecimal, writeLongDecimal, writeShortDecimal } from '../src/json-float-digits.js'

const out = Buffer.alloc(64)

/** What the printers make of `x`: the long one, then the short one; undefined when neither takes it. */
function printed (x: number): string | undefined {
  let end = writeLongDecimal(out, 0, x)
  if (end < 0) end = writeShortDecimal(out, 0, x)
  return end < 0 ? undefined : out.toString('latin1', 0, end)
}

function long (x: number): string | undefined {
  const end = writeLongDecimal(out, 0, x)
  return end < 0 ? undefined : out.toString('latin1', 0, end)
}

const view = new DataView(new ArrayBuffer(8))
/** The double with these bits. */
function fromBits (high: number, low: number): number {
  view.setUint32(0, high)
  view.setUint32(4, low)
  return view.getFloat64(0)
}

/** A double with random bits, its exponent anywhere from 2^-14 (< 1e-4) to 2^54 (> 1e16). */
const anyBits = fc.tuple(fc.integer({ min: 1009, max: 1077 }), fc.integer({ min: 0, max: 0xfffff }), fc.nat(0xffffffff), fc.boolean())
  .map(([exponent, top, low, negative]) => fromBits((negative ? 0x80000000 : 0) | (exponent << 20) | top, low))

const inFixedRange = (x: number): boolean => Math.abs(x) >= 1e-4 && Math.abs(x) < 1e16 && !Number.isInteger(x)

t.test('every fractional double of the fixed range prints as String(x)', async (t) => {
  fc.assert(fc.property(anyBits, (x) => !inFixedRange(x) || printed(x) === String(x)), { numRuns: 300_000 })
  t.pass()
})

t.test('the long printer takes exactly the numbers of 13 to 17 digits, in the fixed range', async (t) => {
  const digitCount = (s: string): number => s.replace(/^-?0\.0*/, '').replace(/[-.]/g, '').replace(/0+$/, '').length
  fc.assert(fc.property(anyBits, (x) => {
    const text = long(x)
    if (!inFixedRange(x)) return text === undefined
    return digitCount(String(x)) > 12 ? text === String(x) : text === undefined
  }), { numRuns: 100_000 })
  t.equal(long(5), undefined, 'integral')
  t.equal(long(Math.PI * 1e16), undefined, 'beyond 1e16')
  t.equal(long(Math.PI * 1e-5), undefined, 'below 1e-4')
  t.equal(long(NaN), undefined)
  t.equal(long(0.1 + 0.2), '0.30000000000000004')
  t.equal(long(-(0.1 + 0.2)), '-0.30000000000000004')
})

t.test('ties: an exact decimal half-way between two of the shortest length prints the even one', async (t) => {
  // 1 + 2^-17 is 1.00000762939453125 exactly: 17 digits tie between ...312 and ...313
  t.equal(long(1 + 2 ** -17), '1.0000076293945312')
  // 878116519843 + 5/32 is ...843.15625 exactly: 16 digits tie between .1562 and .1563
  t.equal(long(878116519843.15625), '878116519843.1562')
  // doubles with a short binary fraction after a large integer part: their exact decimals are
  // 17-20 digits long, so ties at the last printed digit are common among them
  const shortFraction = fc.tuple(fc.integer({ min: 1, max: 2 ** 20 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 6 }))
    .map(([m, q, whole, shift]) => whole * 10 ** shift + m / 2 ** q)
  fc.assert(fc.property(shortFraction, (x) => !inFixedRange(x) || printed(x) === String(x)), { numRuns: 200_000 })
})

t.test('edges: powers of ten and two, the range limits and the doubles beside them', async (t) => {
  const edges: number[] = []
  const beside = (d: number): number[] => {
    view.setFloat64(0, d)
    const bits = view.getBigUint64(0)
    return [-2n, -1n, 0n, 1n, 2n].map((step) => { view.setBigUint64(0, bits + step); return view.getFloat64(0) })
  }
  for (let e = -4; e <= 16; e++) edges.push(...beside(10 ** e), ...beside(3 * 10 ** e), ...beside(7.5 * 10 ** e))
  for (let e = -14; e <= 54; e++) edges.push(...beside(2 ** e), ...beside(1.5 * 2 ** e))
  edges.push(...beside(0.1), ...beside(1 / 3), ...beside(2 ** 52 - 0.5), ...beside(1e16 - 1))
  const wrong = edges.filter((x) => inFixedRange(x) && printed(x) !== String(x))
  t.same(wrong, [])
  t.comment(`${edges.filter(inFixedRange).length} of ${edges.length} in range`)
  t.ok(edges.filter(inFixedRange).length > 700, 'enough of the edges are in range')
})

/** The exact value of a positive double as a dyadic rational: significand · 2^exponent. */
function dyadic (d: number): { significand: bigint, exponent: number } {
  view.setFloat64(0, d)
  const bits = view.getBigUint64(0)
  return { significand: (bits & ((1n << 52n) - 1n)) | (1n << 52n), exponent: Number((bits >> 52n) & 0x7ffn) - 1075 }
}

t.test('readLongDecimal reads 17-digit decimals as Number() does, beside every midpoint', async (t) => {
  // The decimals nearest to the midpoint between a double and the next one up: the hardest to
  // round. Also doubles just above powers of two, whose midpoint below is half as far.
  const below = fc.tuple(fc.integer({ min: 1006, max: 1075 }), fc.integer({ min: 0, max: 0xfffff }), fc.nat(0xffffffff), fc.boolean())
    .map(([exponent, top, low, atPowerOfTwo]) => atPowerOfTwo ? fromBits((exponent << 20) - 1, 0xffffffff) : fromBits((exponent << 20) | top, low))
  let read = 0
  fc.assert(fc.property(below, fc.integer({ min: -2, max: 2 }), (y, step) => {
    if (!(y >= 1e-5 && y < 1e16)) return true
    const { significand, exponent } = dyadic(y)
    // the midpoint (2·significand + 1) · 2^(exponent - 1), in decimal digits and a point
    const e = exponent - 1
    const digits = (e < 0 ? (2n * significand + 1n) * 5n ** BigInt(-e) : (2n * significand + 1n) << BigInt(e)).toString()
    const point = digits.length + Math.min(e, 0) // the midpoint is 0.<digits> · 10^point
    const candidate = (BigInt(digits.slice(0, 17)) + BigInt(step)).toString()
    const s = 17 - point
    if (candidate.length !== 17 || s < 0 || s > 22) return true
    read++
    const got = readLongDecimal(Number(candidate.slice(0, 9)), Number(candidate.slice(9)), s)
    // from 2^52 on, a midpoint (x.5) has 17 digits: a tie, left to the caller
    if (Number.isNaN(got)) return y >= 2 ** 52 && step === 0
    return Object.is(got, Number(`0.${candidate}e${point}`))
  }), { numRuns: 100_000 })
  t.ok(read > 50_000, `${read} decimals read`)
})
