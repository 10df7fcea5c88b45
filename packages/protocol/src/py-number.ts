/**
 * Numbers printed the way Python prints them (docs/wire-format.md, "Numbers"): `repr(float)` as
 * `json.dumps` writes it, ints with all their digits, and the float32 rendering protobuf's
 * MessageToDict uses. Checked against CPython 3.11 byte for byte (test/json-golden.test.ts).
 */

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

/** {@link formatFloat} for a number outside Python's fixed-notation range (or zero, NaN, ±Infinity). */
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
export function pyFloat (n: number): string {
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
export function formatNumber (n: number): string {
  return n % 1 === 0 && n <= Number.MAX_SAFE_INTEGER && n >= -Number.MAX_SAFE_INTEGER ? '' + n : formatFloat(n)
}

/** An element of an integer dtype: all digits even beyond 1e21, where String() switches to `1e+21`. */
export function formatInt (n: number): string {
  if (n % 1 !== 0) return formatFloat(n) // NaN or a fraction stored under an int dtype
  return n < 1e21 && n > -1e21 ? '' + n : BigInt(n).toString()
}

/**
 * The shortest decimal that rounds to the same float32 as `n` (Python's ToShortestFloat, used by
 * MessageToDict/MessageToJson for `float` fields: a metric value 1.1 prints as 1.1, although the
 * decoded double is 1.100000023841858).
 */
export function shortestFloat32 (n: number): number {
  if (!Number.isFinite(n)) return n
  const f = Math.fround(n)
  for (let precision = 6; precision < 9; precision++) {
    const rounded = Number(f.toPrecision(precision))
    if (Math.fround(rounded) === f) return rounded
  }
  // 9 significant digits always identify a float32
  return Number(f.toPrecision(9))
}
