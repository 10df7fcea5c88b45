/**
 * Text from bytes, for the readers that work on bytes (the REST body's fast path, the protobuf
 * reader): Buffer's native decoders, which read any Uint8Array, and {@link recurringText} for the
 * short texts that come again with every request.
 */

/** Buffer's native latin1 decoding: 2× a char-by-char build on 17-digit literals (json-bytes.ts). */
export const latin1Text = (Buffer.prototype as unknown as { latin1Slice: (this: Uint8Array, start: number, end: number) => string }).latin1Slice

/** Buffer's native UTF-8 decoding (what `toString('utf8')` calls; invalid bytes become U+FFFD). */
export const utf8Text = (Buffer.prototype as unknown as { utf8Slice: (this: Uint8Array, start: number, end: number) => string }).utf8Slice

/** Longest text kept by {@link recurringText}, and how many texts it keeps. */
const RECURRING_MAX_LENGTH = 32
const RECURRING_MAX_COUNT = 1024
const recurring = new Map<number, string>()

/**
 * The UTF-8 text from `start` to `end`, as one string object for each short ASCII text that
 * recurs: feature names, the keys and short values of `meta` (tag names, image names, metric
 * kinds), which a deployment's clients send with every request. A native decode costs a call into
 * C++ (about 65 ns here) and gives a new string, which an object then looks up in V8's string
 * table when it is used as a key; a hit here costs a hash and a compare. The first
 * RECURRING_MAX_COUNT texts are kept, not replaced, so texts that never recur (a puid of 36
 * characters is too long to be kept anyway) only make later texts decode natively. Other texts
 * (longer, or not ASCII) are decoded natively.
 *
 * Measured (bench/small-bodies.mjs; BENCHMARKS.md, "A small predict with names and a graph's
 * meta"): a small predict with names and a graph's `meta`, bytes to payload, 4.4 µs on the REST
 * fast path with a native decode per text, 2.9–3.0 µs with this and the plain-float reading; the
 * same message from protobuf, where short texts were built char by char, 2.4–2.5 µs before and
 * 1.9 µs with this.
 */
export function recurringText (bytes: Uint8Array, start: number, end: number): string {
  const length = end - start
  if (length > RECURRING_MAX_LENGTH) return utf8Text.call(bytes, start, end)
  let hash = length
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number
    if (c >= 0x80) return utf8Text.call(bytes, start, end)
    hash = (Math.imul(hash, 31) + c) | 0
  }
  const kept = recurring.get(hash)
  if (kept !== undefined && kept.length === length) {
    let i = 0
    while (i < length && kept.charCodeAt(i) === bytes[start + i]) i++
    if (i === length) return kept
  }
  const text = latin1Text.call(bytes, start, end)
  if (kept === undefined && recurring.size < RECURRING_MAX_COUNT) recurring.set(hash, text)
  return text
}
