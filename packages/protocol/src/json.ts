/**
 * Number-faithful JSON, the way Seldon's Python wrapper reads and writes it.
 *
 * JavaScript has one number type; Python has int and float, and the wrapper's answers show the
 * difference (`1.0` stays `1.0`, `1` stays `1`). We keep it without changing what users see:
 *
 *   - parseJson returns plain JS values. A number written with a fraction or exponent whose value
 *     is integral (`1.0`, `2e3`) is remembered in a side table keyed by its container (array or
 *     object), so the value stays a plain number for user code and prints as `1.0` again. An
 *     integer beyond 2^53 becomes a bigint (never rounded). NaN, Infinity and -Infinity tokens are
 *     accepted, as Python's json module does.
 *   - stringifyJson writes Python's `json.dumps(sort_keys=True, separators=(',', ':'))` output:
 *     sorted keys, Python float repr (`1.0`, `1e-07`, `1e+16`), bare NaN/Infinity, non-ASCII as
 *     \uXXXX escapes. It understands the message form's stand-ins: typed arrays, NDArray,
 *     Uint8Array (base64), bigint and JsonFloat.
 *   - float(n) boxes a number that must print as a float, for values a user builds by hand.
 */
import type { JsonValue } from './types.js'

/** A number that prints as a float even when integral (Python's `3.0`). Arithmetic works via valueOf. */
export class JsonFloat extends Number {
  toJSON (): number { return this.valueOf() }
}

/** Mark a number as a float for the JSON encoder: `float(3)` prints `3.0`. */
export function float (n: number): JsonFloat {
  return new JsonFloat(n)
}

/**
 * Float marks: for a container, `true` when every number in it was written as a float, or the
 * set of keys (indices for arrays) whose integral values were written as floats.
 */
const floatMarks = new WeakMap<object, true | Set<string | number>>()

/** Remember that `container[key]` was written as a float (or, with no key, every number in it). */
export function markFloat (container: object, key?: string | number): void {
  if (key === undefined) { floatMarks.set(container, true); return }
  const mark = floatMarks.get(container)
  if (mark === true) return
  if (mark === undefined) floatMarks.set(container, new Set([key]))
  else mark.add(key)
}

/** True when the number at `container[key]` was written as a float. */
export function isMarkedFloat (container: object, key: string | number): boolean {
  const mark = floatMarks.get(container)
  return mark === true || (mark !== undefined && mark.has(key))
}

/** True when an array held at least one number written as a float (numpy would make it float64). */
export function isFloatArray (arr: readonly unknown[]): boolean {
  return floatMarks.has(arr)
}

/** The float marks of a container, for encoders walking it. */
export function floatMarksOf (container: object): true | Set<string | number> | undefined {
  return floatMarks.get(container)
}

export interface StringifyOptions {
  /** Print every number as a float except where told otherwise (the proto-JSON rendering). */
  allFloats?: boolean
}

/**
 * Parse JSON text (or UTF-8 bytes) number-faithfully. Throws BadDataError with the position of a
 * syntax error. PLACEHOLDER: the real parser replaces this.
 */
export function parseJson (text: string | Uint8Array): JsonValue {
  const s = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8')
  return JSON.parse(s) as JsonValue
}

/** Serialise like the reference (see the file comment). PLACEHOLDER: the real encoder replaces this. */
export function stringifyJson (value: unknown, _options: StringifyOptions = {}): string {
  return JSON.stringify(value)
}

/** Python's repr() of a parsed JSON value (`{'a': [1, 2.0, True, None]}`), for error texts. PLACEHOLDER. */
export function pyRepr (value: unknown): string {
  return JSON.stringify(value)
}

/** Python's str() of a value a user returned (`None`, `True`, `1.5`, `hello`), for error texts. PLACEHOLDER. */
export function pyStr (value: unknown): string {
  return String(value)
}

/** Python's float repr of a number: `1.0`, `0.5`, `1e-07`, `1e+16`, `nan`... as JSON prints it. PLACEHOLDER. */
export function formatFloat (n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n)
}
