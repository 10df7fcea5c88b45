/**
 * google.protobuf.Value / ListValue / Struct <-> plain JS values, by hand.
 *
 * These carry `data.ndarray`, `jsonData` and `meta.tags`, so they are the hot path; protobufjs 8
 * decodes nested ListValue about 4x slower than v7 (measured; docs/wire-format.md, "Protobuf
 * fast paths") and builds `{ listValue: { values: [{ numberValue }] } }` objects we would have
 * to unwrap anyway.
 *
 * Every Value number is a double, so each decoded array and object is float-marked (marks.ts):
 * REST rendering then prints `[[1.0,2.0]]` as the Python wrapper does after a gRPC round trip.
 *
 * Wire shapes (field numbers of struct.proto):
 *   Value     1 null_value (enum) | 2 number_value (double) | 3 string_value | 4 bool_value
 *             | 5 struct_value (Struct) | 6 list_value (ListValue)
 *   ListValue 1 values (repeated Value)
 *   Struct    1 fields (map<string, Value>: entries of 1 key, 2 value)
 * A number element of a ListValue is always the 11 bytes `0a 09 11 <double>`.
 */
import { badData } from '../errors.js'
import { markFloat } from '../marks.js'
import { NDArray, isTypedNumberArray } from '../ndarray.js'
import { setOwnKey } from '../own-key.js'
import type { JsonValue, JsonObject } from '../types.js'
import { MAX_DEPTH, type Plan, type Reader, type Writer, delimited, malformed, reserve, tooDeep, utf8Length } from './wire.js'

// ---------------------------------------------------------------------------------------------
// decode

export function decodeValue (r: Reader, end: number, depth: number): JsonValue {
  let v: JsonValue = null
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x08: r.varint64(); v = null; break
      case 0x11: v = r.double(end); break
      case 0x1a: v = r.string(end); break
      case 0x20: v = r.bool(); break
      case 0x2a: v = decodeStruct(r, r.sub(end), depth + 1); break
      case 0x32: v = decodeListValue(r, r.sub(end), depth + 1); break
      default: r.skip(tag, end)
    }
  }
  if (r.pos > end) throw malformed('truncated Value')
  return v
}

export function decodeListValue (r: Reader, end: number, depth: number): JsonValue[] {
  if (depth > MAX_DEPTH) throw tooDeep()
  const out: JsonValue[] = []
  const buf = r.buf
  while (r.pos < end) {
    const p = r.pos
    if (buf[p] === 0x0a && buf[p + 1] === 0x09 && buf[p + 2] === 0x11 && p + 11 <= end) {
      out.push(r.view.getFloat64(p + 3, true))
      r.pos = p + 11
      continue
    }
    const tag = r.uint32()
    if (tag === 0x0a) out.push(decodeValue(r, r.sub(end), depth))
    else r.skip(tag, end)
  }
  if (r.pos > end) throw malformed('truncated ListValue')
  markFloat(out)
  return out
}

export function decodeStruct (r: Reader, end: number, depth: number): JsonObject {
  if (depth > MAX_DEPTH) throw tooDeep()
  const out: JsonObject = {}
  while (r.pos < end) {
    const tag = r.uint32()
    if (tag !== 0x0a) { r.skip(tag, end); continue }
    const e = r.sub(end)
    let key = ''
    let value: JsonValue = null
    while (r.pos < e) {
      const t = r.uint32()
      if (t === 0x0a) key = r.string(e)
      else if (t === 0x12) value = decodeValue(r, r.sub(e), depth)
      else r.skip(t, e)
    }
    if (r.pos > e) throw malformed('truncated Struct entry')
    setOwnKey(out, key, value)
  }
  if (r.pos > end) throw malformed('truncated Struct')
  markFloat(out)
  return out
}

interface RectState {
  shape: number[]
  /** Number of dimensions, once known (-1 before). */
  ndim: number
  out: Float64Array
  n: number
}

/**
 * The `ndarray` ListValue straight into a float64 NDArray when it is a rectangular array of
 * numbers; undefined (reader position unspecified) when it is anything else.
 */
export function decodeListValueAsNDArray (r: Reader, end: number): NDArray | undefined {
  // every number takes 11 bytes on the wire, so this bounds the element count
  const st: RectState = { shape: [], ndim: -1, out: new Float64Array(Math.floor((end - r.pos) / 11)), n: 0 }
  if (!rectList(r, end, 0, st)) return undefined
  const { shape, ndim } = st
  if (shape.length !== ndim) return undefined
  return new NDArray(st.out.subarray(0, st.n), shape, 'float64')
}

function rectList (r: Reader, end: number, d: number, st: RectState): boolean {
  if (d > MAX_DEPTH) throw tooDeep()
  const buf = r.buf
  const view = r.view
  let count = 0
  while (r.pos < end) {
    const p = r.pos
    if (buf[p] === 0x0a && buf[p + 1] === 0x09 && buf[p + 2] === 0x11) {
      if (p + 11 > end) return false
      if (st.ndim !== d + 1) {
        if (st.ndim !== -1) return false
        st.ndim = d + 1
      }
      st.out[st.n++] = view.getFloat64(p + 3, true)
      r.pos = p + 11
      count++
      continue
    }
    // anything but a Value holding only a list_value leaves the fast path
    if (buf[p] !== 0x0a) return false
    r.pos = p + 1
    const e = r.sub(end)
    if (r.pos >= e || buf[r.pos] !== 0x32) return false
    r.pos++
    if (r.sub(e) !== e) return false
    if (st.ndim !== -1 && st.ndim <= d + 1) return false
    if (!rectList(r, e, d + 1, st)) return false
    count++
  }
  if (r.pos !== end) return false
  const known = st.shape[d]
  if (known === undefined) st.shape[d] = count
  else if (known !== count) return false
  if (count === 0) {
    if (st.ndim === -1) st.ndim = d + 1
    else if (st.ndim !== d + 1) return false
  }
  return true
}

// ---------------------------------------------------------------------------------------------
// encode: size pass

function isPlainObject (v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}

/** Content size of a Value; nested ListValue/Struct lengths go into the plan. */
export function sizeValue (v: unknown, plan: Plan, depth: number, path: string): number {
  if (v === null || v === undefined) return 2
  switch (typeof v) {
    case 'number': case 'bigint': return 9
    case 'boolean': return 2
    case 'string': return delimited(utf8Length(v))
    case 'object': {
      if (v instanceof Number) return 9
      if (Array.isArray(v)) {
        const slot = reserve(plan)
        const n = sizeListValue(v, plan, depth + 1, path)
        plan.lens[slot] = n
        return delimited(n)
      }
      if (v instanceof NDArray) {
        // a user-built NDArray inside JSON: its nested form
        const nested = v.toNested()
        plan.extras.push(nested)
        return sizeValue(nested, plan, depth, path)
      }
      if (v instanceof Uint8Array) {
        // bytes inside JSON travel as base64, as the JSON codec prints them
        const s = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
        plan.extras.push(s)
        return delimited(s.length)
      }
      if (isTypedNumberArray(v)) {
        const slot = reserve(plan)
        const n = 11 * v.length
        plan.lens[slot] = n
        return delimited(n)
      }
      if (isPlainObject(v)) {
        const slot = reserve(plan)
        const n = sizeStruct(v as Record<string, unknown>, plan, depth + 1, path)
        plan.lens[slot] = n
        return delimited(n)
      }
      break
    }
  }
  throw badData(`${path}: cannot encode ${describe(v)} as a google.protobuf.Value`)
}

function describe (v: unknown): string {
  if (typeof v === 'object' && v !== null) return `an object of type ${(v as object).constructor?.name ?? 'unknown'}`
  return `a value of type ${typeof v}`
}

export function sizeListValue (arr: readonly unknown[], plan: Plan, depth: number, path: string): number {
  if (depth > MAX_DEPTH) throw tooDeep()
  let n = 0
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i]
    if (typeof v === 'number') { n += 11; continue }
    const slot = reserve(plan)
    const len = sizeValue(v, plan, depth, path)
    plan.lens[slot] = len
    n += delimited(len)
  }
  return n
}

export function sizeStruct (obj: Record<string, unknown>, plan: Plan, depth: number, path: string): number {
  if (depth > MAX_DEPTH) throw tooDeep()
  let n = 0
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue
    const v = obj[key]
    if (v === undefined) continue
    const entrySlot = reserve(plan)
    const valueSlot = reserve(plan)
    const vlen = sizeValue(v, plan, depth, path)
    plan.lens[valueSlot] = vlen
    const elen = delimited(utf8Length(key)) + delimited(vlen)
    plan.lens[entrySlot] = elen
    n += delimited(elen)
  }
  return n
}

// ---------------------------------------------------------------------------------------------
// encode: write pass (mirrors the size pass decision for decision)

export function writeValue (v: unknown, w: Writer): void {
  if (v === null || v === undefined) { w.byte(0x08); w.byte(0); return }
  switch (typeof v) {
    case 'number': w.byte(0x11); w.double(v); return
    case 'bigint': w.byte(0x11); w.double(Number(v)); return
    case 'boolean': w.byte(0x20); w.byte(v ? 1 : 0); return
    case 'string': w.byte(0x1a); w.string(v); return
  }
  const o = v as object
  if (o instanceof Number) { w.byte(0x11); w.double(o.valueOf()); return }
  if (Array.isArray(o)) { w.nested(0x32); writeListValue(o, w); return }
  if (o instanceof NDArray) { writeValue(w.extra(), w); return }
  if (o instanceof Uint8Array) { w.byte(0x1a); w.string(w.extra<string>()); return }
  if (isTypedNumberArray(o)) {
    w.nested(0x32)
    for (let i = 0; i < o.length; i++) { w.byte(0x0a); w.byte(0x09); w.byte(0x11); w.double(Number(o[i])) }
    return
  }
  w.nested(0x2a)
  writeStruct(o as Record<string, unknown>, w)
}

export function writeListValue (arr: readonly unknown[], w: Writer): void {
  for (let i = 0; i < arr.length; i++) {
    const v = arr[i]
    if (typeof v === 'number') {
      w.byte(0x0a); w.byte(0x09); w.byte(0x11); w.double(v)
      continue
    }
    w.nested(0x0a)
    writeValue(v, w)
  }
}

/** Struct fields, or any map<string, Value> whose entries have field tag `entryTag` (Meta.tags). */
export function writeStruct (obj: Record<string, unknown>, w: Writer, entryTag = 0x0a): void {
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue
    const v = obj[key]
    if (v === undefined) continue
    w.nested(entryTag)
    w.byte(0x0a); w.string(key)
    w.nested(0x12)
    writeValue(v, w)
  }
}

// ---------------------------------------------------------------------------------------------
// NDArray as a ListValue, straight from its flat buffer

/**
 * Content sizes of the ListValue at each level of a numeric NDArray: level k (innermost) holds
 * numbers (11 bytes each), level j holds Values wrapping the ListValues of level j+1.
 */
export function ndarrayLevelSizes (shape: readonly number[]): number[] {
  const k = shape.length - 1
  const sizes = new Array<number>(shape.length)
  sizes[k] = 11 * (shape[k] as number)
  for (let j = k - 1; j >= 0; j--) {
    const inner = sizes[j + 1] as number
    sizes[j] = (shape[j] as number) * delimited(delimited(inner))
  }
  return sizes
}

export function writeNDArrayLevels (a: NDArray, sizes: readonly number[], w: Writer): void {
  const data = a.data
  const shape = a.shape
  const last = shape.length - 1
  const toNumber = data instanceof BigInt64Array || data instanceof BigUint64Array
  let offset = 0
  const level = (d: number): void => {
    const n = shape[d] as number
    if (d === last) {
      const view = w.view
      const buf = w.buf
      let p = w.pos
      if (toNumber) {
        for (let i = 0; i < n; i++) { buf[p] = 0x0a; buf[p + 1] = 0x09; buf[p + 2] = 0x11; view.setFloat64(p + 3, Number(data[offset + i]), true); p += 11 }
      } else {
        const nums = data as Float64Array
        for (let i = 0; i < n; i++) { buf[p] = 0x0a; buf[p + 1] = 0x09; buf[p + 2] = 0x11; view.setFloat64(p + 3, nums[offset + i] as number, true); p += 11 }
      }
      w.pos = p
      offset += n
      return
    }
    const inner = sizes[d + 1] as number
    const valueLen = delimited(inner)
    for (let i = 0; i < n; i++) {
      w.byte(0x0a); w.varint(valueLen)
      w.byte(0x32); w.varint(inner)
      level(d + 1)
    }
  }
  level(0)
}
