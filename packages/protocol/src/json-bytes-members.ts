/**
 * The members of a Seldon message that the bytes fast path (json-bytes.ts) takes without decoding
 * them into numbers: `data.names` and the message's `meta`, as Seldon's Python client and every
 * component's answer write them. Each reader gets the body and the position of the member's value
 * and gives the value and the position just past it, or undefined: the body then goes to the
 * general path whole.
 *
 * The common spellings are read here (`"meta":{}`, names of plain ASCII); anything else is read by
 * parseJson from the member's own bytes, which gives the value parseJson gives it within the whole
 * body, float marks and key order included.
 */
import { parseJson } from './json-parse.js'

/** A member's value and the position just past it. */
export interface Member {
  value: unknown
  end: number
}

/** Nesting followed to find a member's end; deeper members are left to the general path. */
const MAX_MEMBER_DEPTH = 64

/** `meta`: `{}` read here (whitespace inside allowed), any other object or array by parseJson. */
export function readMetaMember (bytes: Uint8Array, at: number): Member | undefined {
  if (bytes[at] === 123) {
    const close = skipWhitespace(bytes, at + 1)
    if (bytes[close] === 125) return { value: {}, end: close + 1 }
  }
  return readJsonMember(bytes, at)
}

/**
 * `names`: an array of strings of printable ASCII without escapes (`["t:0","t:1"]`) read here,
 * anything else (escapes, other characters, a non-string) by parseJson. Read here, a 4-value
 * predict with four names and `"meta":{}` costs 0.87 µs from bytes to decoded payload; through
 * parseJson for both members 1.4 µs, as much as the general path for the whole body (a loop
 * of 200,000, 2026-12-05).
 */
export function readNamesMember (bytes: Uint8Array, at: number): Member | undefined {
  if (bytes[at] !== 91) return undefined
  const names: string[] = []
  let p = skipWhitespace(bytes, at + 1)
  if (bytes[p] === 93) return { value: names, end: p + 1 }
  while (bytes[p] === 34) {
    const first = ++p
    let c = bytes[p] as number
    while (c >= 32 && c < 127 && c !== 34 && c !== 92) c = bytes[++p] as number
    if (c !== 34) break
    names.push(latin1Text.call(bytes, first, p))
    p = skipWhitespace(bytes, p + 1)
    c = bytes[p] as number
    if (c === 93) return { value: names, end: p + 1 }
    if (c !== 44) break
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

/** Buffer's native latin1 decoding, which reads any Uint8Array (the names are ASCII here). */
const latin1Text = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice
