/**
 * JSON string literals as Python's `json.dumps(ensure_ascii=True)` writes them
 * (docs/wire-format.md, "Writing JSON"). The one JSON quoting function: the encoder and the error
 * envelope call it, other packages take it from `@fastify-seldon/protocol/internal` rather than
 * keeping a copy. Imports nothing.
 */

/** Characters `json.dumps(ensure_ascii=True)` escapes: controls, `"`, `\`, DEL and all non-ASCII. */
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u007f-\uffff]/ // eslint-disable-line no-control-regex
const SHORT_ESCAPES: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' }

/**
 * A JSON string literal as Python's `json.dumps(ensure_ascii=True)` writes it: `\"`, `\\`, `\n`,
 * `\r`, `\t`, `\b`, `\f`, every other control character, DEL and every non-ASCII code unit as
 * `\u00xx` (lowercase hex; astral characters come out as their surrogate pair). `/` is not escaped.
 */
export function quoteJsonString (s: string): string {
  if (s.length <= SHORT_KEY) {
    // keys and names (`data`, `t:0`): a loop beats the regex's fixed cost on a few characters
    let plain = true
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (c < 32 || c === 34 || c === 92 || c >= 127) { plain = false; break }
    }
    if (plain) return '"' + s + '"'
    return escapeShortString(s)
  }
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"'
  return s.length < LONG_STRING ? escapeShortString(s) : escapeLongString(s)
}

/** Up to this length quoteJsonString checks characters in a loop rather than with NEEDS_ESCAPE. */
const SHORT_KEY = 16

/** From this length on, escapes are written as bytes into a buffer rather than concatenated. */
const LONG_STRING = 256
const HEX_DIGITS = '0123456789abcdef'
/** The letter of each short escape (`\n` ...), by char code. */
const SHORT_ESCAPE_LETTERS: Record<number, number> = { 8: 98, 9: 116, 10: 110, 12: 102, 13: 114 }

function escapeLongString (s: string): string {
  const bytes = Buffer.allocUnsafe(s.length * 6 + 2) // the worst case: every code unit as \uXXXX
  let o = 0
  bytes[o++] = 34
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 32 && c < 127) {
      if (c === 34 || c === 92) bytes[o++] = 92
      bytes[o++] = c
      continue
    }
    bytes[o++] = 92
    const letter = SHORT_ESCAPE_LETTERS[c]
    if (letter !== undefined) { bytes[o++] = letter; continue }
    bytes[o++] = 117
    bytes[o++] = HEX_DIGITS.charCodeAt(c >> 12)
    bytes[o++] = HEX_DIGITS.charCodeAt((c >> 8) & 15)
    bytes[o++] = HEX_DIGITS.charCodeAt((c >> 4) & 15)
    bytes[o++] = HEX_DIGITS.charCodeAt(c & 15)
  }
  bytes[o++] = 34
  return bytes.toString('latin1', 0, o)
}

function escapeShortString (s: string): string {
  let out = '"'
  let chunk = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 32 && c < 127 && c !== 34 && c !== 92) continue
    if (chunk < i) out += s.slice(chunk, i)
    out += SHORT_ESCAPES[c] ?? '\\u' + hex4(c)
    chunk = i + 1
  }
  if (chunk < s.length) out += s.slice(chunk)
  return out + '"'
}

function hex4 (c: number): string {
  return c < 0x10 ? '000' + c.toString(16) : c < 0x100 ? '00' + c.toString(16) : c < 0x1000 ? '0' + c.toString(16) : c.toString(16)
}
