/**
 * Message form → seldon.protos wire bytes, by hand (field numbers: seldon-core v1.18.2
 * `python/seldon_core/proto/prediction.proto`; rules: docs/wire-format.md, "Protobuf").
 *
 * Writes what Python's protobuf writes: fields in ascending number order, proto3 defaults skipped
 * except oneof members, map entries with both key and value, in the object's key order. Two
 * passes: size* computes every nested length into a Plan (and refuses bad values), write* then
 * fills a buffer of the exact size. The metadata messages are in encode-metadata.ts.
 */
import { badData } from '../errors.js'
import { NDArray, type TypedNumberArray, isTypedNumberArray } from '../ndarray.js'
import type {
  AnyMessage, DefaultData, Feedback, Meta, Metric, RequestResponse, SeldonMessage, SeldonMessageList, Status, Tensor, TensorProto
} from '../types.js'
import {
  bytesValue, entries, enumValue, expectObject, float32, int32, isSet, num, sizeString, sizeStringMap, str, stringList,
  typeName, writeString, writeStringMap
} from './encode-fields.js'
import { METRIC_TYPES, STATUS_FLAGS } from './enums.js'
import {
  ndarrayLevelSizes, sizeListValue, sizeStruct, sizeValue, writeListValue, writeNDArrayLevels, writeStruct, writeValue
} from './struct.js'
import { encodeTensorProto } from './tensorflow.js'
import { type Plan, type Writer, delimited, int32Length, reserve, utf8Length } from './wire.js'

const PAYLOAD_KEYS = ['data', 'binData', 'strData', 'jsonData', 'customData'] as const

function checkPayloadOneof (m: SeldonMessage, path: string): void {
  let count = 0
  for (const k of PAYLOAD_KEYS) {
    // jsonData null is a null Value, so it counts as set
    if (k === 'jsonData' ? m.jsonData !== undefined : isSet(m[k])) count++
  }
  if (count > 1) {
    const set = PAYLOAD_KEYS.filter((k) => k === 'jsonData' ? m.jsonData !== undefined : isSet(m[k]))
    throw badData(`${path} sets more than one member of oneof data_oneof (${set.join(', ')}); a SeldonMessage carries exactly one payload`)
  }
}

export function sizeSeldonMessage (m: SeldonMessage, plan: Plan, path: string): number {
  expectObject(m, path)
  checkPayloadOneof(m, path)
  let n = 0
  if (isSet(m.status)) {
    const s = reserve(plan)
    const len = sizeStatus(m.status as Status, `${path}.status`)
    plan.lens[s] = len
    n += delimited(len)
  }
  if (isSet(m.meta)) {
    const s = reserve(plan)
    const len = sizeMeta(m.meta as Meta, plan, `${path}.meta`)
    plan.lens[s] = len
    n += delimited(len)
  }
  if (isSet(m.data)) {
    const s = reserve(plan)
    const len = sizeDefaultData(m.data as DefaultData, plan, `${path}.data`)
    plan.lens[s] = len
    n += delimited(len)
  } else if (isSet(m.binData)) {
    const b = bytesValue(m.binData, `${path}.binData`)
    if (typeof m.binData === 'string') plan.extras.push(b)
    n += delimited(b.length)
  } else if (isSet(m.strData)) {
    n += delimited(utf8Length(str(m.strData, `${path}.strData`) as string))
  } else if (m.jsonData !== undefined) {
    const s = reserve(plan)
    const len = sizeValue(m.jsonData, plan, 1, `${path}.jsonData`)
    plan.lens[s] = len
    n += delimited(len)
  } else if (isSet(m.customData)) {
    const s = reserve(plan)
    const len = sizeAny(m.customData, plan, `${path}.customData`)
    plan.lens[s] = len
    n += delimited(len)
  }
  return n
}

export function writeSeldonMessage (m: SeldonMessage, w: Writer): void {
  if (isSet(m.status)) { w.nested(0x0a); writeStatus(m.status as Status, w) }
  if (isSet(m.meta)) { w.nested(0x12); writeMeta(m.meta as Meta, w) }
  if (isSet(m.data)) {
    w.nested(0x1a)
    writeDefaultData(m.data as DefaultData, w)
  } else if (isSet(m.binData)) {
    w.byte(0x22)
    w.bytes(typeof m.binData === 'string' ? w.extra<Uint8Array>() : m.binData as Uint8Array)
  } else if (isSet(m.strData)) {
    w.byte(0x2a)
    w.string(m.strData as string)
  } else if (m.jsonData !== undefined) {
    w.nested(0x32)
    writeValue(m.jsonData, w)
  } else if (isSet(m.customData)) {
    w.nested(0x3a)
    writeAny(m.customData as AnyMessage, w)
  }
}

function sizeStatus (s: Status, path: string): number {
  expectObject(s, path)
  let n = 0
  if (isSet(s.code)) {
    const code = int32(s.code, `${path}.code`)
    if (code !== 0) n += 1 + int32Length(code)
  }
  n += sizeString(str(s.info, `${path}.info`))
  n += sizeString(str(s.reason, `${path}.reason`))
  const flag = enumValue(s.status, STATUS_FLAGS, `${path}.status`)
  if (flag !== 0) n += 1 + int32Length(flag)
  return n
}

function writeStatus (s: Status, w: Writer): void {
  const code = isSet(s.code) ? int32(s.code, '') : 0
  if (code !== 0) { w.byte(0x08); w.int32(code) }
  writeString(0x12, s.info ?? undefined, w)
  writeString(0x1a, s.reason ?? undefined, w)
  const flag = enumValue(s.status, STATUS_FLAGS, '')
  if (flag !== 0) { w.byte(0x20); w.int32(flag) }
}

function sizeMeta (m: Meta, plan: Plan, path: string): number {
  expectObject(m, path)
  let n = sizeString(str(m.puid, `${path}.puid`))
  if (isSet(m.tags)) {
    expectObject(m.tags, `${path}.tags`)
    n += sizeStruct(m.tags as Record<string, unknown>, plan, 1, `${path}.tags`)
  }
  if (isSet(m.routing)) {
    for (const [k, v] of entries(m.routing, `${path}.routing`)) {
      const s = reserve(plan)
      const len = delimited(utf8Length(k)) + 1 + int32Length(int32(v, `${path}.routing.${k}`))
      plan.lens[s] = len
      n += delimited(len)
    }
  }
  if (isSet(m.requestPath)) n += sizeStringMap(m.requestPath, plan, `${path}.requestPath`)
  if (isSet(m.metrics)) {
    if (!Array.isArray(m.metrics)) throw badData(`${path}.metrics must be an array, got ${typeName(m.metrics)}`)
    for (let i = 0; i < m.metrics.length; i++) {
      const s = reserve(plan)
      const len = sizeMetric(m.metrics[i] as Metric, plan, `${path}.metrics[${i}]`)
      plan.lens[s] = len
      n += delimited(len)
    }
  }
  return n
}

function writeMeta (m: Meta, w: Writer): void {
  writeString(0x0a, m.puid ?? undefined, w)
  if (isSet(m.tags)) writeStruct(m.tags as Record<string, unknown>, w, 0x12)
  if (isSet(m.routing)) {
    for (const [k, v] of entries(m.routing, '')) {
      w.nested(0x1a)
      w.byte(0x0a); w.string(k)
      w.byte(0x10); w.int32(num(v, ''))
    }
  }
  if (isSet(m.requestPath)) writeStringMap(0x22, m.requestPath as Record<string, string>, w)
  if (isSet(m.metrics)) {
    for (const metric of m.metrics as Metric[]) { w.nested(0x2a); writeMetric(metric, w) }
  }
}
function sizeMetric (m: Metric, plan: Plan, path: string): number {
  expectObject(m, path)
  let n = sizeString(str(m.key, `${path}.key`))
  const type = enumValue(m.type, METRIC_TYPES, `${path}.type`)
  if (type !== 0) n += 1 + int32Length(type)
  if (float32(m.value, `${path}.value`) !== undefined) n += 5
  if (isSet(m.tags)) n += sizeStringMap(m.tags, plan, `${path}.tags`)
  return n
}

function writeMetric (m: Metric, w: Writer): void {
  writeString(0x0a, m.key ?? undefined, w)
  const type = enumValue(m.type, METRIC_TYPES, '')
  if (type !== 0) { w.byte(0x10); w.int32(type) }
  const value = float32(m.value, '')
  if (value !== undefined) { w.byte(0x1d); w.float(value) }
  if (isSet(m.tags)) writeStringMap(0x22, m.tags as Record<string, string>, w)
}

const DATA_KEYS = ['tensor', 'ndarray', 'tftensor'] as const

function sizeDefaultData (d: DefaultData, plan: Plan, path: string): number {
  expectObject(d, path)
  const set = DATA_KEYS.filter((k) => isSet(d[k]))
  if (set.length > 1) throw badData(`${path} sets more than one member of oneof data_oneof (${set.join(', ')})`)
  let n = 0
  if (isSet(d.names)) {
    for (const name of stringList(d.names, `${path}.names`)) n += delimited(utf8Length(name))
  }
  if (isSet(d.tensor)) {
    const s = reserve(plan)
    const len = sizeTensor(d.tensor as Tensor, plan, `${path}.tensor`)
    plan.lens[s] = len
    n += delimited(len)
  } else if (isSet(d.ndarray)) {
    const s = reserve(plan)
    const len = sizeNdarray(d.ndarray, plan, `${path}.ndarray`)
    plan.lens[s] = len
    n += delimited(len)
  } else if (isSet(d.tftensor)) {
    expectObject(d.tftensor, `${path}.tftensor`)
    const bytes = encodeTensorProto(d.tftensor as TensorProto)
    plan.extras.push(bytes)
    plan.lens[reserve(plan)] = bytes.length
    n += delimited(bytes.length)
  }
  return n
}

function writeDefaultData (d: DefaultData, w: Writer): void {
  if (isSet(d.names)) {
    for (const name of d.names as string[]) { w.byte(0x0a); w.string(name) }
  }
  if (isSet(d.tensor)) {
    w.nested(0x12)
    writeTensor(d.tensor as Tensor, w)
  } else if (isSet(d.ndarray)) {
    w.nested(0x1a)
    writeNdarray(d.ndarray as unknown[] | NDArray, w)
  } else if (isSet(d.tftensor)) {
    w.nested(0x22)
    w.raw(w.extra<Uint8Array>())
  }
}

function sizeNdarray (v: unknown, plan: Plan, path: string): number {
  if (v instanceof NDArray) {
    if (v.ndim === 0) throw badData(`${path} must be a list, got a 0-d NDArray`)
    if (isTypedNumberArray(v.data)) {
      const sizes = ndarrayLevelSizes(v.shape)
      plan.extras.push(sizes)
      return sizes[0] as number
    }
    const nested = v.toNested() as unknown[]
    plan.extras.push(nested)
    return sizeListValue(nested, plan, 1, path)
  }
  if (!Array.isArray(v)) throw badData(`${path} must be an array or an NDArray, got ${typeName(v)}`)
  return sizeListValue(v, plan, 1, path)
}

function writeNdarray (v: unknown[] | NDArray, w: Writer): void {
  if (v instanceof NDArray) {
    if (isTypedNumberArray(v.data)) writeNDArrayLevels(v, w.extra<number[]>(), w)
    else writeListValue(w.extra<unknown[]>(), w)
    return
  }
  writeListValue(v, w)
}

function sizeTensor (t: Tensor, plan: Plan, path: string): number {
  expectObject(t, path)
  let n = 0
  if (isSet(t.shape)) {
    const shape = t.shape as unknown
    if (!Array.isArray(shape) && !isTypedNumberArray(shape)) throw badData(`${path}.shape must be an array of integers, got ${typeName(shape)}`)
    let len = 0
    for (let i = 0; i < shape.length; i++) len += int32Length(int32(shape[i], `${path}.shape[${i}]`))
    if (len > 0) n += delimited(len)
  }
  if (isSet(t.values)) {
    const values = flatValues(t.values, `${path}.values`)
    plan.extras.push(values)
    if (values.length > 0) n += delimited(8 * values.length)
  }
  return n
}

function writeTensor (t: Tensor, w: Writer): void {
  if (isSet(t.shape)) {
    const shape = t.shape as ArrayLike<number>
    let len = 0
    for (let i = 0; i < shape.length; i++) len += int32Length(Number(shape[i]))
    if (len > 0) {
      w.byte(0x0a)
      w.varint(len)
      for (let i = 0; i < shape.length; i++) w.int32(Number(shape[i]))
    }
  }
  if (isSet(t.values)) {
    const values = w.extra<FlatNumbers>()
    if (values.length > 0) {
      w.byte(0x12)
      w.varint(8 * values.length)
      writeDoubles(values, w)
    }
  }
}

type FlatNumbers = number[] | TypedNumberArray

/** Tensor.values as a flat list of numbers: typed arrays as they are, plain arrays checked once. */
function flatValues (v: unknown, path: string): FlatNumbers {
  if (v instanceof NDArray) v = v.data
  if (isTypedNumberArray(v)) return v
  if (!Array.isArray(v)) throw badData(`${path} must be an array of numbers or a typed array, got ${typeName(v)}`)
  let convert = false
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as unknown
    if (typeof x !== 'number') {
      num(x, `${path}[${i}]`)
      convert = true
    }
  }
  // boxed floats and bigints become plain doubles
  return convert ? Float64Array.from(v as unknown[], (x) => num(x, path)) : v as number[]
}

/** Packed doubles in bulk: a byte copy for Float64Array, a native conversion for the rest. */
function writeDoubles (values: FlatNumbers, w: Writer): void {
  const n = values.length
  const bytes = 8 * n
  if (values instanceof Float64Array) {
    w.raw(new Uint8Array(values.buffer, values.byteOffset, bytes))
    return
  }
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) w.double(Number(values[i]))
    return
  }
  const at = w.buf.byteOffset + w.pos
  if (at % 8 === 0) {
    new Float64Array(w.buf.buffer, at, n).set(values)
    w.pos += bytes
  } else {
    const tmp = new Float64Array(n)
    tmp.set(values)
    w.raw(new Uint8Array(tmp.buffer))
  }
}

function sizeAny (a: unknown, plan: Plan, path: string): number {
  expectObject(a, path)
  if ('@type' in (a as object)) {
    throw badData(`${path}: a google.protobuf.Any in proto-JSON form ({"@type": ...}) cannot be encoded because its message type is unknown here; pass { typeUrl, value } with the packed bytes`)
  }
  const any = a as Partial<AnyMessage>
  let n = sizeString(str(any.typeUrl, `${path}.typeUrl`))
  if (isSet(any.value)) {
    const bytes = bytesValue(any.value, `${path}.value`)
    if (typeof any.value === 'string') plan.extras.push(bytes)
    if (bytes.length > 0) n += delimited(bytes.length)
  }
  return n
}

function writeAny (a: AnyMessage, w: Writer): void {
  writeString(0x0a, a.typeUrl ?? undefined, w)
  if (isSet(a.value)) {
    const bytes = typeof a.value === 'string' ? w.extra<Uint8Array>() : a.value
    if (bytes.length > 0) { w.byte(0x12); w.bytes(bytes) }
  }
}

function sizeMessageField (m: unknown, plan: Plan, path: string): number {
  const s = reserve(plan)
  const len = sizeSeldonMessage(m as SeldonMessage, plan, path)
  plan.lens[s] = len
  return delimited(len)
}

export function sizeFeedback (f: Feedback, plan: Plan, path: string): number {
  expectObject(f, path)
  let n = 0
  if (isSet(f.request)) n += sizeMessageField(f.request, plan, `${path}.request`)
  if (isSet(f.response)) n += sizeMessageField(f.response, plan, `${path}.response`)
  if (float32(f.reward, `${path}.reward`) !== undefined) n += 5
  if (isSet(f.truth)) n += sizeMessageField(f.truth, plan, `${path}.truth`)
  return n
}

export function writeFeedback (f: Feedback, w: Writer): void {
  if (isSet(f.request)) { w.nested(0x0a); writeSeldonMessage(f.request as SeldonMessage, w) }
  if (isSet(f.response)) { w.nested(0x12); writeSeldonMessage(f.response as SeldonMessage, w) }
  const reward = float32(f.reward, '')
  if (reward !== undefined) { w.byte(0x1d); w.float(reward) }
  if (isSet(f.truth)) { w.nested(0x22); writeSeldonMessage(f.truth as SeldonMessage, w) }
}

export function sizeSeldonMessageList (l: SeldonMessageList, plan: Plan, path: string): number {
  expectObject(l, path)
  if (!isSet(l.seldonMessages)) return 0
  if (!Array.isArray(l.seldonMessages)) throw badData(`${path}.seldonMessages must be an array, got ${typeName(l.seldonMessages)}`)
  let n = 0
  for (let i = 0; i < l.seldonMessages.length; i++) n += sizeMessageField(l.seldonMessages[i], plan, `${path}.seldonMessages[${i}]`)
  return n
}

export function writeSeldonMessageList (l: SeldonMessageList, w: Writer): void {
  if (!isSet(l.seldonMessages)) return
  for (const m of l.seldonMessages) { w.nested(0x0a); writeSeldonMessage(m, w) }
}

export function sizeRequestResponse (rr: RequestResponse, plan: Plan, path: string): number {
  expectObject(rr, path)
  let n = 0
  if (isSet(rr.request)) n += sizeMessageField(rr.request, plan, `${path}.request`)
  if (isSet(rr.response)) n += sizeMessageField(rr.response, plan, `${path}.response`)
  return n
}

export function writeRequestResponse (rr: RequestResponse, w: Writer): void {
  if (isSet(rr.request)) { w.nested(0x0a); writeSeldonMessage(rr.request as SeldonMessage, w) }
  if (isSet(rr.response)) { w.nested(0x12); writeSeldonMessage(rr.response as SeldonMessage, w) }
}
