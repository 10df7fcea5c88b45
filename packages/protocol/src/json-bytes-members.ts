/**
 * The members of a Seldon message that the bytes fast path (json-bytes.ts) takes without decoding
 * them into numbers: `data.names` and the message's `meta`, as Seldon's Python client and every
 * component's answer write them. Each reader gets the body and the position of the member's value
 * and gives the value and the position just past it, or undefined: the body then goes to the
 * general path whole.
 *
 * The common spellings are read here (names of plain ASCII, a `meta` of plain values); anything
 * else is read by parseJson from the member's own bytes, which gives the value parseJson gives it
 * within the whole body, float marks and key order included.
 */
import { latin1Text, recurringText, utf8Text } from './bytes-text.js'
import { parseJson } from './json-parse.js'
import { FloatMarkSlot } from './marks.js'

/** A member's value and the position just past it. */
export interface Member {
  value: unknown
  end: number
}

/** Nesting followed to find a member's end; deeper members are left to the general path. */
const MAX_MEMBER_DEPTH = 64

/**
 * `meta`: read here when it is made of plain values only ({@link readPlainObject}: what the
 * executor and components write, `{"puid":"…","tags":{"p":0.93},"requestPath":{"m":"img:1"}}`),
 * any other object or array by parseJson. Bytes to decoded payload (bench/small-bodies.mjs,
 * 2026-12-05): an executor-shaped small predict (four names, a puid and an empty requestPath)
 * 1.08–1.13 µs read here, 1.50–1.58 µs on the general path; with its `meta` through parseJson it
 * was 1.76–1.81 µs, which is why the common spellings are read here.
 */
export function readMetaMember (bytes: Uint8Array, at: number): Member | undefined {
  return readPlainObject(bytes, at, 0) ?? readJsonMember(bytes, at)
}

/** Nesting of plain objects and arrays read here; deeper ones go to parseJson. */
const MAX_PLAIN_DEPTH = 4

/**
 * An object whose keys are plain ASCII (no escapes, not starting with a digit, not `__proto__`:
 * parseJson keeps those in their own ways) and whose values are plain: strings of printable ASCII
 * without escapes, numbers that parseJson reads without a mark ({@link readPlainNumber}), `true`,
 * `false`, `null`, and arrays and objects of these. Built as parseJson builds it
 * (`obj[key] = value`, in the body's order); undefined for anything else.
 */
function readPlainObject (bytes: Uint8Array, at: number, depth: number): Member | undefined {
  if (bytes[at] !== 123 || depth >= MAX_PLAIN_DEPTH) return undefined
  const obj: Record<string, unknown> = {}
  let p = skipWhitespace(bytes, at + 1)
  if (bytes[p] === 125) return { value: obj, end: p + 1 }
  for (;;) {
    const keyEnd = plainStringEnd(bytes, p)
    // A key that is empty or starts with a digit or punctuation is left to parseJson (a digit key
    // changes how an object orders its keys, which parseJson keeps track of).
    if (keyEnd < 0 || (bytes[p + 1] as number) <= 57) return undefined
    const key = recurringText(bytes, p + 1, keyEnd - 1)
    if (key === '__proto__') return undefined
    p = skipWhitespace(bytes, keyEnd)
    if (bytes[p] !== 58 /* : */) return undefined
    const value = readPlainValue(bytes, skipWhitespace(bytes, p + 1), depth)
    if (value === undefined) return undefined
    obj[key] = value.value
    p = skipWhitespace(bytes, value.end)
    if (bytes[p] === 125) return { value: obj, end: p + 1 }
    if (bytes[p] !== 44) return undefined
    p = skipWhitespace(bytes, p + 1)
  }
}

/** A plain value of {@link readPlainObject} or {@link readPlainArray} at `at`. */
function readPlainValue (bytes: Uint8Array, at: number, depth: number): Member | undefined {
  const c = bytes[at] as number
  if (c === 34) {
    const end = plainStringEnd(bytes, at)
    return end < 0 ? undefined : { value: recurringText(bytes, at + 1, end - 1), end }
  }
  if (c === 123) return readPlainObject(bytes, at, depth + 1)
  if (c === 91) return readPlainArray(bytes, at, depth + 1)
  if (c === 45 || (c >= 48 && c <= 57)) return readPlainNumber(bytes, at)
  for (const [word, value] of LITERALS) {
    if (spells(bytes, at, word)) return { value, end: at + word.length }
  }
  return undefined
}

const LITERALS: ReadonlyArray<[string, boolean | null]> = [['true', true], ['false', false], ['null', null]]

/**
 * An array of {@link readPlainValue}'s values, with the float mark parseJson gives it: an array
 * holding a float literal is marked, `true` when every number in it is one, else with the indices
 * of its integral float literals, of which a plain array has none (`[0.1,0.9]`: true; `[1,0.5]`:
 * an empty set).
 */
function readPlainArray (bytes: Uint8Array, at: number, depth: number): Member | undefined {
  if (depth >= MAX_PLAIN_DEPTH) return undefined
  const arr: unknown[] = []
  let p = skipWhitespace(bytes, at + 1)
  if (bytes[p] === 93) return { value: arr, end: p + 1 }
  let numbers = 0
  let floats = 0
  for (;;) {
    const element = readPlainValue(bytes, p, depth)
    if (element === undefined) return undefined
    const value = element.value
    // A plain number is an integer literal or a float literal with a fraction.
    if (typeof value === 'number') { numbers++; if (value % 1 !== 0) floats++ }
    arr.push(value)
    p = skipWhitespace(bytes, element.end)
    if (bytes[p] === 93) break
    if (bytes[p] !== 44) return undefined
    p = skipWhitespace(bytes, p + 1)
  }
  if (floats !== 0) FloatMarkSlot.set(arr, floats === numbers ? true : new Set())
  return { value: arr, end: p + 1 }
}

/**
 * A number at `at` that parseJson reads as a plain number: an integer of at most 15 digits (a
 * longer one may need a bigint), or a float literal whose value is not integral (`0.93`,
 * `2.5e-3`, `1e400`; an integral one, `1.0`, needs a float mark of its own). A float's value is
 * `Number` of its text, correctly rounded as parseJson's is.
 */
function readPlainNumber (bytes: Uint8Array, at: number): Member | undefined {
  let p = bytes[at] === 45 ? at + 1 : at
  const first = p
  let c = bytes[p] as number
  while (c >= 48 && c <= 57) c = bytes[++p] as number
  const digits = p - first
  if (digits === 0 || (digits > 1 && bytes[first] === 48)) return undefined
  if (c !== 46 && c !== 101 && c !== 69) {
    if (digits > 15) return undefined
    let n = 0
    for (let i = first; i < p; i++) n = n * 10 + ((bytes[i] as number) - 48)
    return { value: bytes[at] === 45 ? -n : n, end: p }
  }
  if (c === 46) {
    const fraction = ++p
    while ((c = bytes[p] as number) >= 48 && c <= 57) p++
    if (p === fraction) return undefined
  }
  if (c === 101 || c === 69) {
    c = bytes[++p] as number
    if (c === 43 || c === 45) c = bytes[++p] as number
    const exponent = p
    while (c >= 48 && c <= 57) c = bytes[++p] as number
    if (p === exponent) return undefined
  }
  const value = Number(latin1Text.call(bytes, at, p))
  return value % 1 !== 0 ? { value, end: p } : undefined
}

/** Just past the closing quote of the string of printable ASCII without escapes at `at`; -1 otherwise. */
function plainStringEnd (bytes: Uint8Array, at: number): number {
  if (bytes[at] !== 34) return -1
  let p = at + 1
  let c = bytes[p] as number
  while (c >= 32 && c < 127 && c !== 34 && c !== 92) c = bytes[++p] as number
  return c === 34 ? p + 1 : -1
}

/** True when the bytes at `at` spell `word` (ASCII). */
export function spells (bytes: Uint8Array, at: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) return false
  return true
}

/**
 * `names`: an array of strings of printable ASCII without escapes (`["t:0","t:1"]`) read here,
 * anything else (escapes, other characters, a non-string) by parseJson. Read here, a 4-value
 * predict with four names and `"meta":{}` costs 0.73 µs from bytes to decoded payload; through
 * parseJson for both members 1.4 µs, as much as the general path for the whole body (1.30–1.38 µs;
 * bench/small-bodies.mjs, 2026-12-05).
 */
export function readNamesMember (bytes: Uint8Array, at: number): Member | undefined {
  if (bytes[at] !== 91) return undefined
  const names: string[] = []
  let p = skipWhitespace(bytes, at + 1)
  if (bytes[p] === 93) return { value: names, end: p + 1 }
  for (;;) {
    const end = plainStringEnd(bytes, p)
    if (end < 0) break
    names.push(recurringText(bytes, p + 1, end - 1))
    p = skipWhitespace(bytes, end)
    if (bytes[p] === 93) return { value: names, end: p + 1 }
    if (bytes[p] !== 44) break
    p = skipWhitespace(bytes, p + 1)
  }
  return readJsonMember(bytes, at)
}

/**
 * The object or array at `at`, read by parseJson from its own bytes. Its extent is found by
 * brackets and strings only; whatever that finds, parseJson checks the slice whole, and the caller
 * still checks the rest of the body, so a body the general path would refuse is never taken.
 * Objects and arrays only: a top-level `1.0` comes back from parseJson boxed.
 */
function readJsonMember (bytes: Uint8Array, at: number): Member | undefined {
  if (bytes[at] !== 123 && bytes[at] !== 91) return undefined
  const end = containerEnd(bytes, at)
  if (end < 0) return undefined
  // Decoded as the REST body's text is (Buffer's UTF-8, rest's body.ts), so the strings are the
  // same; without a Buffer made for it (0.13 µs less on a small `meta`).
  const text = utf8Text.call(bytes, at, end)
  try {
    return { value: parseJson(text), end }
  } catch {
    return undefined
  }
}

/** Just past the bracket that closes the object or array at `at`, skipping strings; -1 if none. */
function containerEnd (bytes: Uint8Array, at: number): number {
  let depth = 0
  let p = at
  while (p < bytes.length) {
    const c = bytes[p++]
    if (c === 34 /* " */) {
      while (p < bytes.length && bytes[p] !== 34) p += bytes[p] === 92 /* \ */ ? 2 : 1
      if (p++ >= bytes.length) return -1
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_MEMBER_DEPTH) return -1
    } else if (c === 125 || c === 93) {
      if (--depth === 0) return p
    }
  }
  return -1
}

function skipWhitespace (bytes: Uint8Array, at: number): number {
  let p = at
  let c = bytes[p]
  while (c === 32 || c === 10 || c === 13 || c === 9) c = bytes[++p]
  return p
}
