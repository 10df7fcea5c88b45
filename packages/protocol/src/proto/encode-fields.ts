/**
 * Field-level checks and writers shared by the encoders (encode.ts, encode-metadata.ts): each
 * refuses a value of the wrong type with a 400 naming the field's path, and returns what the
 * size and write passes need.
 */
import { badData } from '../errors.js'
import { type Plan, type Writer, delimited, reserve, utf8Length } from './wire.js'

export const isSet = (v: unknown): boolean => v !== undefined && v !== null

export function typeName (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? `an object (${(v as object).constructor?.name ?? 'no prototype'})` : `a ${typeof v}`
}

export function expectObject (v: unknown, path: string): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badData(`${path} must be an object, got ${typeName(v)}`)
}

/** A string field: undefined/null are absent; anything else but a string is refused. */
export function str (v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw badData(`${path} must be a string, got ${typeName(v)}`)
  return v
}

/** A number, unboxing the message form's stand-ins (JsonFloat, bigint). */
export function num (v: unknown, path: string): number {
  if (typeof v === 'number') return v
  if (v instanceof Number) return v.valueOf()
  if (typeof v === 'bigint') return Number(v)
  throw badData(`${path} must be a number, got ${typeName(v)}`)
}

export function int32 (v: unknown, path: string): number {
  const n = num(v, path)
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw badData(`${path} must be a 32-bit integer, got ${n}`)
  return n
}

export function enumValue (v: unknown, names: readonly string[], path: string): number {
  if (v === undefined || v === null) return 0
  if (typeof v === 'string') {
    const i = names.indexOf(v)
    if (i < 0) throw badData(`${path} must be one of ${names.join(', ')}, got "${v}"`)
    return i
  }
  return int32(v, path)
}

/** float fields: written unless their float32 is +0 (proto3 compares the bits: -0 and NaN are written). */
export function float32 (v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined
  const f = Math.fround(num(v, path))
  return Object.is(f, 0) ? undefined : f
}

export function sizeString (s: string | undefined): number {
  return s === undefined || s === '' ? 0 : delimited(utf8Length(s))
}

export function writeString (tag: number, s: string | undefined, w: Writer): void {
  if (s === undefined || s === '') return
  w.byte(tag)
  w.string(s)
}

export function entries (v: unknown, path: string): Array<[string, unknown]> {
  expectObject(v, path)
  const out: Array<[string, unknown]> = []
  for (const key in v as object) {
    if (!Object.hasOwn(v as object, key)) continue
    const value = (v as Record<string, unknown>)[key]
    if (value !== undefined) out.push([key, value])
  }
  return out
}

export function stringList (v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw badData(`${path} must be an array of strings, got ${typeName(v)}`)
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') throw badData(`${path}[${i}] must be a string, got ${typeName(v[i])}`)
  }
  return v as string[]
}

/** A bytes field: Uint8Array as is, a string as base64 (the JSON form). */
export function bytesValue (v: unknown, path: string): Uint8Array {
  if (v instanceof Uint8Array) return v
  if (typeof v === 'string') return Buffer.from(v, 'base64')
  throw badData(`${path} must be bytes (Uint8Array) or a base64 string, got ${typeName(v)}`)
}

/** map<string, string>: entries of key (1) and value (2), both always written. */
export function sizeStringMap (map: unknown, plan: Plan, path: string): number {
  let n = 0
  for (const [k, v] of entries(map, path)) {
    const value = str(v, `${path}.${k}`) ?? ''
    const s = reserve(plan)
    const len = delimited(utf8Length(k)) + delimited(utf8Length(value))
    plan.lens[s] = len
    n += delimited(len)
  }
  return n
}

export function writeStringMap (tag: number, map: Record<string, string>, w: Writer): void {
  for (const [k, v] of entries(map, '')) {
    w.nested(tag)
    w.byte(0x0a); w.string(k)
    w.byte(0x12); w.string((v as string | null) ?? '')
  }
}
