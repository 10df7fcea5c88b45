/**
 * tensorflow.TensorProto (DefaultData.tftensor) through protobufjs reflection: 18 fields and
 * three nested messages for a payload that only TensorFlow users send, so it stays on the
 * generic path instead of getting a hand-written codec.
 *
 * Message form: proto-JSON names (camelCase), `dtype` by enum name, 64-bit integers as decimal
 * strings (as proto-JSON prints them), bytes as Buffers. The Root keeps the .proto's snake_case
 * names, so keys are renamed on the way in and out.
 */
import type protobuf from 'protobufjs'
import protojson from 'protobufjs/ext/protojson.js'
import { badData } from '../errors.js'
import { markFloat } from '../marks.js'
import type { TensorProto } from '../types.js'
import { loadSeldonRoot } from './root.js'
import { malformed } from './wire.js'

let tensorProtoType: protobuf.Type | undefined

function type (): protobuf.Type {
  tensorProtoType ??= loadSeldonRoot().lookupType('tensorflow.TensorProto')
  return tensorProtoType
}

const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: String, defaults: false, arrays: false, objects: false, oneofs: false }

/** Float fields print as floats (`1.0`) in proto-JSON. */
const FLOAT_FIELDS = ['floatVal', 'doubleVal', 'scomplexVal', 'dcomplexVal'] as const

/** Fields whose values are bytes: their Uint8Arrays are data, not numeric lists. */
const BYTES_FIELDS = new Set(['tensorContent', 'float8Val', 'stringVal', 'metadata'])

function markFloats (t: Record<string, unknown>): void {
  for (const f of FLOAT_FIELDS) {
    const v = t[f]
    if (Array.isArray(v)) markFloat(v)
  }
  const variants = t.variantVal
  if (Array.isArray(variants)) {
    for (const v of variants as Array<{ tensors?: unknown[] }>) {
      for (const inner of v.tensors ?? []) markFloats(inner as Record<string, unknown>)
    }
  }
}

export function decodeTensorProto (bytes: Uint8Array): TensorProto {
  const T = type()
  let msg: protobuf.Message
  try {
    msg = T.decode(bytes)
  } catch (err) {
    throw malformed(`tftensor: ${(err as Error).message}`)
  }
  const obj = camelKeys(T.toObject(msg, TO_OBJECT)) as Record<string, unknown>
  markFloats(obj)
  return obj as TensorProto
}

const camel = (k: string): string => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
const snake = (k: string): string => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

function camelKeys (v: unknown): unknown {
  if (Array.isArray(v)) return v.map(camelKeys)
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) out[camel(k)] = camelKeys(x)
  return out
}

/**
 * What protobufjs's fromObject wants: snake_case keys, plain arrays, numbers and decimal strings
 * for 64-bit values.
 */
function plain (value: unknown, key: string, depth: number): unknown {
  if (depth > 64) throw badData('tftensor: nesting too deep')
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value
  if (value instanceof Number) return value.valueOf()
  if (value instanceof Uint8Array && BYTES_FIELDS.has(key)) return value
  if (ArrayBuffer.isView(value)) {
    const arr = value as unknown as ArrayLike<number | bigint>
    return Array.from(arr, (v) => typeof v === 'bigint' ? v.toString() : v)
  }
  if (Array.isArray(value)) return value.map((v) => plain(v, key, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[snake(k)] = plain(v, k, depth + 1)
  return out
}

export function encodeTensorProto (t: TensorProto): Uint8Array {
  const T = type()
  try {
    const obj = plain(t, '', 0) as Record<string, unknown>
    // fromObject silently drops an unknown enum name; proto-JSON parsing refuses it
    const dtype = obj.dtype
    if (typeof dtype === 'string' && !(dtype in (T.fields.dtype!.resolvedType as protobuf.Enum).values)) {
      throw new Error(`unknown tensorflow.DataType "${dtype}"`)
    }
    return T.encode(T.fromObject(obj)).finish()
  } catch (err) {
    throw badData(`tftensor: ${(err as Error).message}`)
  }
}

/** Strict proto-JSON (protobufjs's ProtoJSON extension) → TensorProto message form. */
export function tensorProtoFromJson (json: unknown): TensorProto {
  const T = type()
  const msg = protojson.fromJson(T, json)
  return decodeTensorProto(T.encode(msg).finish())
}
