/**
 * Protobuf wire primitives for the hand-written codec: a bounds-checked Reader and an exact-size
 * Writer fed by a size plan.
 *
 * Encoding runs in two passes, the way protobuf's C++ serializer does (ByteSize, then write):
 * the size pass walks the message, validates it and records the byte length of every nested
 * message in pre-order in `plan.lens` (plus converted values, e.g. decoded base64, in
 * `plan.extras`); the write pass walks the same message in the same order, takes the lengths
 * back and writes into one buffer of the exact size. No copying, no growing, no length shifting.
 *
 * Byte order: doubles and floats are read and written little-endian through DataView, and
 * packed doubles are moved as raw bytes between the wire and Float64Arrays. That raw move
 * assumes a little-endian host, which every platform Node supports here is (x64, arm64).
 */
import { recurringText } from '../bytes-text.js'
import { badData } from '../errors.js'

/** The message nesting limit, as protobuf's default recursion limit. */
export const MAX_DEPTH = 100

export function malformed (what: string): Error {
  return badData(`invalid protobuf message: ${what}`)
}

export function tooDeep (): Error {
  return badData(`message nesting deeper than ${MAX_DEPTH} levels (or a cyclic value)`)
}

export function toBuffer (buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
}

export class Reader {
  readonly buf: Buffer
  readonly view: DataView
  readonly len: number
  pos = 0

  constructor (input: Uint8Array) {
    this.buf = toBuffer(input)
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
    this.len = this.buf.length
  }

  /** A varint's low 32 bits, unsigned (tags, lengths, uint32; `| 0` for int32 and enums). */
  uint32 (): number {
    const b = this.buf
    let p = this.pos
    let c = b[p++] as number
    let v = c & 0x7f
    if (c >= 0x80) {
      c = b[p++] as number; v |= (c & 0x7f) << 7
      if (c >= 0x80) {
        c = b[p++] as number; v |= (c & 0x7f) << 14
        if (c >= 0x80) {
          c = b[p++] as number; v |= (c & 0x7f) << 21
          if (c >= 0x80) {
            c = b[p++] as number; v |= c << 28
            // bits beyond 32 are dropped, as protobuf does when narrowing to 32 bits
            let i = 0
            while (c >= 0x80) {
              if (++i > 5) throw malformed('varint longer than 10 bytes')
              c = b[p++] as number
            }
          }
        }
      }
    }
    // reading past the end yields undefined: `undefined >= 0x80` is false, so we land here
    if (p > this.len) throw malformed('truncated varint')
    this.pos = p
    return v >>> 0
  }

  /** A full 64-bit varint as [low, high] 32-bit halves. */
  varint64 (): [number, number] {
    const b = this.buf
    let p = this.pos
    let lo = 0
    let hi = 0
    let c = 0
    for (let shift = 0; shift < 28; shift += 7) {
      c = b[p++] as number
      lo |= (c & 0x7f) << shift
      if (c < 0x80) return this.end64(p, lo, hi)
    }
    c = b[p++] as number
    lo |= (c & 0x0f) << 28
    hi = (c & 0x7f) >> 4
    if (c < 0x80) return this.end64(p, lo, hi)
    for (let shift = 3; shift < 32; shift += 7) {
      c = b[p++] as number
      hi |= (c & 0x7f) << shift
      if (c < 0x80) return this.end64(p, lo, hi)
    }
    throw malformed(p > this.len ? 'truncated varint' : 'varint longer than 10 bytes')
  }

  private end64 (p: number, lo: number, hi: number): [number, number] {
    if (p > this.len) throw malformed('truncated varint')
    this.pos = p
    return [lo >>> 0, hi >>> 0]
  }

  /** int64 as a number when safe, else a bigint (never rounded). */
  int64 (): number | bigint {
    const [lo, hi] = this.varint64()
    return int64Value(lo, hi)
  }

  bool (): boolean {
    const [lo, hi] = this.varint64()
    return (lo | hi) !== 0
  }

  /** Reads a length prefix and returns the end offset of the delimited bytes. */
  sub (end: number): number {
    const n = this.uint32()
    const e = this.pos + n
    if (e > end) throw malformed('length-delimited field runs past the end of its message')
    return e
  }

  double (end: number): number {
    const p = this.pos
    if (p + 8 > end) throw malformed('truncated double')
    this.pos = p + 8
    return this.view.getFloat64(p, true)
  }

  float (end: number): number {
    const p = this.pos
    if (p + 4 > end) throw malformed('truncated float')
    this.pos = p + 4
    return this.view.getFloat32(p, true)
  }

  string (end: number): string {
    const e = this.sub(end)
    const s = this.pos
    this.pos = e
    return recurringText(this.buf, s, e)
  }

  /** A view (no copy) of a bytes field. */
  bytes (end: number): Buffer {
    const e = this.sub(end)
    const s = this.pos
    this.pos = e
    return this.buf.subarray(s, e)
  }

  /** Skips a field of an unknown number (or a known number with an unexpected wire type). */
  skip (tag: number, end: number): void {
    switch (tag & 7) {
      case 0: this.varint64(); break
      case 1: this.pos += 8; break
      case 2: this.pos = this.sub(end); break
      case 5: this.pos += 4; break
      case 3: {
        // a group: skip fields up to its end-group tag
        for (;;) {
          if (this.pos >= end) throw malformed('unterminated group')
          const t = this.uint32()
          if ((t & 7) === 4) {
            if (t >>> 3 !== tag >>> 3) throw malformed('mismatched end-group tag')
            break
          }
          this.skip(t, end)
        }
        break
      }
      default: throw malformed(`invalid wire type ${tag & 7}`)
    }
    if (tag >>> 3 === 0) throw malformed('field number 0')
    if (this.pos > end) throw malformed('truncated field')
  }
}

function int64Value (lo: number, hi: number): number | bigint {
  // below 2^53 (and not negative) the double is exact
  if (hi < 0x200000) return hi * 0x100000000 + lo
  const v = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo))
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v
}

/** UTF-8 byte length, counting lone surrogates as U+FFFD (3 bytes) as Buffer#write does. */
export function utf8Length (s: string): number {
  const n = s.length
  if (n > 48) return Buffer.byteLength(s, 'utf8')
  let len = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) len += 1
    else if (c < 0x800) len += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { len += 4; i++ } else len += 3
  }
  return len
}

export function varintLength (v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5
}

/** Bytes of an int32 varint: negative values are sign-extended to 10 bytes. */
export function int32Length (v: number): number {
  return v < 0 ? 10 : varintLength(v)
}

/** A length-delimited field with a one-byte tag: tag + length prefix + content. */
export function delimited (n: number): number {
  return 1 + varintLength(n) + n
}

/** An int64/uint64 as [low, high] 32-bit halves (two's complement for negatives). */
export function int64Halves (v: number | bigint | string, what: string): [number, number] {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) {
      if (!Number.isInteger(v)) throw badData(`${what} must be an integer, got ${v}`)
      v = BigInt(v)
    } else if (v >= 0) {
      return [v >>> 0, Math.floor(v / 0x100000000) >>> 0]
    } else {
      v = BigInt(v)
    }
  }
  let b: bigint
  if (typeof v === 'bigint') b = v
  else {
    if (!/^\s*[-+]?\d+\s*$/.test(v)) throw badData(`${what} must be an integer, got ${JSON.stringify(v)}`)
    b = BigInt(v.trim())
  }
  if (b < -(1n << 63n) || b >= (1n << 64n)) throw badData(`${what} is out of the 64-bit range: ${b}`)
  const u = BigInt.asUintN(64, b)
  return [Number(u & 0xffffffffn), Number(u >> 32n)]
}

export function varint64Length (lo: number, hi: number): number {
  if (hi === 0) return varintLength(lo)
  // 32 + bits of hi
  const bits = 32 + (32 - Math.clz32(hi))
  return Math.ceil(bits / 7)
}

/** The size pass's output, consumed in the same order by the write pass. */
export interface Plan {
  /** Content length of each nested message, in pre-order. */
  lens: number[]
  /** Values converted during the size pass (decoded base64, encoded sub-messages...). */
  extras: unknown[]
}

export function newPlan (): Plan {
  return { lens: [], extras: [] }
}

/** Reserves a length slot for a nested message about to be sized; fill it with `plan.lens[slot] = n`. */
export function reserve (plan: Plan): number {
  return plan.lens.push(0) - 1
}

export class Writer {
  readonly buf: Buffer
  readonly view: DataView
  pos = 0
  private readonly lens: number[]
  private li = 0
  private readonly extras: unknown[]
  private xi = 0

  constructor (size: number, plan: Plan) {
    this.buf = Buffer.allocUnsafe(size)
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
    this.lens = plan.lens
    this.extras = plan.extras
  }

  /** The buffer, after checking both passes agreed (a mismatch is a bug in this codec). */
  finish (): Buffer {
    if (this.pos !== this.buf.length || this.li !== this.lens.length || this.xi !== this.extras.length) {
      throw new Error(`protobuf encoder: size and write passes disagree (${this.pos}/${this.buf.length} bytes, ${this.li}/${this.lens.length} lengths)`)
    }
    return this.buf
  }

  byte (b: number): void {
    this.buf[this.pos++] = b
  }

  varint (v: number): void {
    const b = this.buf
    let p = this.pos
    while (v >= 0x80) {
      b[p++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    b[p++] = v
    this.pos = p
  }

  int32 (v: number): void {
    if (v >= 0) this.varint(v)
    else this.varint64(v >>> 0, 0xffffffff)
  }

  varint64 (lo: number, hi: number): void {
    const b = this.buf
    let p = this.pos
    while (hi !== 0) {
      b[p++] = (lo & 0x7f) | 0x80
      lo = ((lo >>> 7) | (hi << 25)) >>> 0
      hi >>>= 7
    }
    this.pos = p
    this.varint(lo)
  }

  double (v: number): void {
    this.view.setFloat64(this.pos, v, true)
    this.pos += 8
  }

  float (v: number): void {
    this.view.setFloat32(this.pos, v, true)
    this.pos += 4
  }

  /** Length prefix and UTF-8 bytes. */
  string (s: string): void {
    const n = utf8Length(s)
    this.varint(n)
    if (n === s.length && n <= 48) {
      const b = this.buf
      let p = this.pos
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i)
      this.pos = p
    } else {
      this.pos += this.buf.write(s, this.pos, n, 'utf8')
    }
  }

  /** Length prefix and raw bytes. */
  bytes (u: Uint8Array): void {
    this.varint(u.length)
    this.buf.set(u, this.pos)
    this.pos += u.length
  }

  raw (u: Uint8Array): void {
    this.buf.set(u, this.pos)
    this.pos += u.length
  }

  /** Tag and length prefix of the next nested message (its length comes from the plan). */
  nested (tag: number): void {
    this.buf[this.pos++] = tag
    this.varint(this.lens[this.li++] as number)
  }

  extra<T> (): T {
    return this.extras[this.xi++] as T
  }
}
