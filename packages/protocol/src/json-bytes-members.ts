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
import { parseJson } from './json-parse.js'

/** A member's value and the position just past it. */
export interface Member {
  value: unknown
  end: number
}

/** Nesting followed to find a member's end; deeper members are left to the general path. */
const MAX_MEMBER_DEPTH = 64

/**
 * `meta`: read here when it is made of plain values only ({@link readPlainObject}: what the
 * executor and components write, `{"puid":"…","requestPath":{"m":"img:1"},"routing":{"r":1}}`),
 * any other object or array by parseJson. An executor-shaped small predict (four names, a `meta`
 * with a puid and an empty requestPath), bytes to decoded payload in a loop of 200,000: 1.32–1.38 µs
 * read here, 1.76–1.81 µs with its `meta` through parseJson, 1.56–1.62 µs on the general path.
 */
export function readMetaMember (bytes: Uint8Array, at: number): Member | undefined {
  return readPlainObject(bytes, at, 0) ?? readJsonMember(bytes, at)
}

/** Nesting of plain objects read here; deeper ones go to parseJson. */
const MAX_PLAIN_DEPTH = 4

/**
 * An object whose keys are plain ASCII (no escapes, not starting with a digit, not `__proto__`:
 * parseJson keeps those in their own ways) and whose values are plain: strings of printable ASCII
 * without escapes, integers of at most 15 digits (plain numbers for parseJson too: no float mark),
 * `true`, `false`, `null`, `[]` and such objects. Built as parseJson builds it (`obj[key] = value`,
 * in the body's order); undefined for anything else.
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
    const key = latin1Text.call(bytes, p + 1, keyEnd - 1)
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

/** A plain value of {@link readPlainObject} at `at`. */
function readPlainValue (bytes: Uint8Array, at: number, depth: number): Member | undefined {
  const c = bytes[at] as number
  if (c === 34) {
    const end = plainStringEnd(bytes, at)
    return end < 0 ? undefined : { value: latin1Text.call(bytes, at + 1, end - 1), end }
  }
  if (c === 123) return readPlainObject(bytes, at, depth + 1)
  if (c === 91) {
    const close = skipWhitespace(bytes, at + 1)
    return bytes[close] === 93 ? { value: [], end: close + 1 } : undefined
  }
  if (c === 45 || (c >= 48 && c <= 57)) return readPlainInteger(bytes, at)
  for (const [word, value] of LITERALS) {
    if (spells(bytes, at, word)) return { value, end: at + word.length }
  }
  return undefined
}

const LITERALS: ReadonlyArray<[string, boolean | null]> = [['true', true], ['false', false], ['null', null]]

/** `-?digits`, no leading zero, at most 15 digits, not followed by a fraction or an exponent. */
function readPlainInteger (bytes: Uint8Array, at: number): Member | undefined {
  let p = bytes[at] === 45 ? at + 1 : at
  const first = p
  let n = 0
  let c = bytes[p] as number
  while (c >= 48 && c <= 57) { n = n * 10 + (c - 48); c = bytes[++p] as number }
  const digits = p - first
  if (digits === 0 || digits > 15 || (digits > 1 && bytes[first] === 48) || c === 46 || c === 101 || c === 69) return undefined
  return { value: bytes[at] === 45 ? -n : n, end: p }
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
 * predict with four names and `"meta":{}` costs 0.87–0.94 µs from bytes to decoded payload; through
 * parseJson for both members 1.4 µs, as much as the general path for the whole body (a loop
 * of 200,000, 2026-12-05).
 */
export function readNamesMember (bytes: Uint8Array, at: number): Member | undefined {
  if (bytes[at] !== 91) return undefined
  const names: string[] = []
  let p = skipWhitespace(bytes, at + 1)
  if (bytes[p] === 93) return { value: names, end: p + 1 }
  for (;;) {
    const end = plainStringEnd(bytes, p)
    if (end < 0) break
    names.push(latin1Text.call(bytes, p + 1, end - 1))
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
  // Decoded as the REST body's text is (Buffer's UTF-8, rest's body.ts), so the strings are the same.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('utf8')
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

/**
 * Buffer's native latin1 decoding, which reads any Uint8Array: 2× a char-by-char build on 17-digit
 * literals (json-bytes.ts reads them with it too). The text read here with it is ASCII.
 */
export const latin1Text = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice
