/**
 * seldon.protos messages <-> message form, by hand (field tables: reference section 5.2).
 *
 * Decoding follows Python's MessageToDict: scalar fields at their default (0, '', empty list or
 * map, enum value 0) are absent; sub-messages present on the wire are present even when empty
 * (`meta: {}`); oneof members are present whatever their value (`strData: ''`); the last oneof
 * member on the wire wins. Encoding writes what Python's protobuf writes: fields in ascending
 * number order, proto3 defaults skipped except oneof members, map entries with both key and
 * value, in the object's key order.
 */
import { badData } from '../errors.js'
import { markFloat } from '../json.js'
import { NDArray, type TypedNumberArray, isTypedNumberArray } from '../ndarray.js'
import type {
  AnyMessage, DefaultData, Feedback, JsonValue, Meta, Metric, RequestResponse, SeldonGraphMetadata, SeldonMessage,
  SeldonMessageList, SeldonMessageMetadata, SeldonModelMetadata, SeldonModelMetadataRequest, Status, Tensor, TensorProto
} from '../types.js'
import {
  decodeListValue, decodeListValueAsNDArray, decodeValue, ndarrayLevelSizes, setKey, sizeListValue, sizeStruct, sizeValue,
  writeListValue, writeNDArrayLevels, writeStruct, writeValue
} from './struct.js'
import { decodeTensorProto, encodeTensorProto } from './tensorflow.js'
import {
  type Plan, type Reader, type Writer, delimited, int32Length, int64Halves, malformed, reserve, utf8Length, varint64Length
} from './wire.js'

export interface DecodeOptions {
  /**
   * How `data.ndarray` comes out: `nested` (default) as nested arrays, float-marked; `ndarray`
   * as an NDArray (float64, flat) when it is a rectangular array of numbers, else nested arrays.
   */
  ndarrayAs?: 'nested' | 'ndarray'
}

export interface DecodeContext {
  ndarrayAsNDArray: boolean
}

export function decodeContext (options: DecodeOptions | undefined): DecodeContext {
  return { ndarrayAsNDArray: options?.ndarrayAs === 'ndarray' }
}

const METRIC_TYPES = ['COUNTER', 'GAUGE', 'TIMER'] as const
const STATUS_FLAGS = ['SUCCESS', 'FAILURE'] as const

/** An enum value by name; numbers unknown to the enum stay numbers (proto3 open enums). */
function enumName (names: readonly string[], v: number): string | number {
  return names[v] ?? v
}

function endCheck (r: Reader, end: number, what: string): void {
  if (r.pos > end) throw malformed(`truncated ${what}`)
}

// =============================================================================================
// decode

export function decodeSeldonMessageAt (r: Reader, end: number, ctx: DecodeContext): SeldonMessage {
  const msg: SeldonMessage = {}
  let payload: keyof SeldonMessage | undefined
  const switchTo = (kind: keyof SeldonMessage): void => {
    if (payload !== undefined && payload !== kind) delete msg[payload]
    payload = kind
  }
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: msg.status = decodeStatus(r, r.sub(end)); break
      case 0x12: msg.meta = decodeMeta(r, r.sub(end)); break
      case 0x1a: switchTo('data'); msg.data = decodeDefaultData(r, r.sub(end), ctx); break
      case 0x22: switchTo('binData'); msg.binData = r.bytes(end); break
      case 0x2a: switchTo('strData'); msg.strData = r.string(end); break
      case 0x32: {
        switchTo('jsonData')
        const v = decodeValue(r, r.sub(end), 1)
        msg.jsonData = v
        if (typeof v === 'number') markFloat(msg, 'jsonData')
        break
      }
      case 0x3a: switchTo('customData'); msg.customData = decodeAny(r, r.sub(end)); break
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'SeldonMessage')
  return msg
}

function decodeStatus (r: Reader, end: number): Status {
  let code = 0
  let info = ''
  let reason = ''
  let flag = 0
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x08: code = r.uint32() | 0; break
      case 0x12: info = r.string(end); break
      case 0x1a: reason = r.string(end); break
      case 0x20: flag = r.uint32() | 0; break
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'Status')
  const s: Status = {}
  if (code !== 0) s.code = code
  if (info !== '') s.info = info
  if (reason !== '') s.reason = reason
  if (flag !== 0) s.status = enumName(STATUS_FLAGS, flag) as Status['status']
  return s
}

/** A map entry's key and (scalar or message) value, wire tags 0x0a and `valueTag`. */
function decodeEntry<T> (r: Reader, end: number, valueTag: number, readValue: (end: number) => T, empty: T): [string, T] {
  let key = ''
  let value = empty
  while (r.pos < end) {
    const tag = r.uint32()
    if (tag === 0x0a) key = r.string(end)
    else if (tag === valueTag) value = readValue(end)
    else r.skip(tag, end)
  }
  endCheck(r, end, 'map entry')
  return [key, value]
}

function decodeMeta (r: Reader, end: number): Meta {
  const meta: Meta = {}
  let tags: Record<string, JsonValue> | undefined
  let routing: Record<string, number> | undefined
  let requestPath: Record<string, string> | undefined
  let metrics: Metric[] | undefined
  const readValue = (e: number): JsonValue => decodeValue(r, r.sub(e), 1)
  const readInt32 = (): number => r.uint32() | 0
  const readString = (e: number): string => r.string(e)
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: {
        const puid = r.string(end)
        if (puid !== '') meta.puid = puid
        else delete meta.puid
        break
      }
      case 0x12: {
        if (tags === undefined) { tags = {}; markFloat(tags) }
        const [k, v] = decodeEntry(r, r.sub(end), 0x12, readValue, null)
        setKey(tags, k, v)
        break
      }
      case 0x1a: {
        routing ??= {}
        const [k, v] = decodeEntry(r, r.sub(end), 0x10, readInt32, 0)
        setKey(routing, k, v)
        break
      }
      case 0x22: {
        requestPath ??= {}
        const [k, v] = decodeEntry(r, r.sub(end), 0x12, readString, '')
        setKey(requestPath, k, v)
        break
      }
      case 0x2a: (metrics ??= []).push(decodeMetric(r, r.sub(end))); break
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'Meta')
  if (tags !== undefined) meta.tags = tags
  if (routing !== undefined) meta.routing = routing
  if (requestPath !== undefined) meta.requestPath = requestPath
  if (metrics !== undefined) meta.metrics = metrics
  return meta
}

function decodeMetric (r: Reader, end: number): Metric {
  let key = ''
  let type = 0
  let value = 0
  let tags: Record<string, string> | undefined
  const readString = (e: number): string => r.string(e)
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: key = r.string(end); break
      case 0x10: type = r.uint32() | 0; break
      case 0x1d: value = r.float(end); break
      case 0x22: {
        tags ??= {}
        const [k, v] = decodeEntry(r, r.sub(end), 0x12, readString, '')
        setKey(tags, k, v)
        break
      }
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'Metric')
  // MessageToDict omits the defaults, so a COUNTER has no `type` and a zero has no `value`
  const m = {} as Metric
  if (key !== '') m.key = key
  if (type !== 0) m.type = enumName(METRIC_TYPES, type) as Metric['type']
  if (!Object.is(value, 0)) { m.value = value; markFloat(m, 'value') }
  if (tags !== undefined) m.tags = tags
  return m
}

function decodeDefaultData (r: Reader, end: number, ctx: DecodeContext): DefaultData {
  const data: DefaultData = {}
  let names: string[] | undefined
  let kind: 'tensor' | 'ndarray' | 'tftensor' | undefined
  const switchTo = (k: 'tensor' | 'ndarray' | 'tftensor'): void => {
    if (kind !== undefined && kind !== k) delete data[kind]
    kind = k
  }
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: (names ??= []).push(r.string(end)); break
      case 0x12: switchTo('tensor'); data.tensor = decodeTensor(r, r.sub(end)); break
      case 0x1a: {
        switchTo('ndarray')
        const e = r.sub(end)
        const start = r.pos
        let nd: NDArray | undefined
        if (ctx.ndarrayAsNDArray) {
          nd = decodeListValueAsNDArray(r, e)
          if (nd === undefined) r.pos = start
        }
        data.ndarray = nd ?? decodeListValue(r, e, 1)
        r.pos = e
        break
      }
      case 0x22: {
        switchTo('tftensor')
        const e = r.sub(end)
        data.tftensor = decodeTensorProto(r.buf.subarray(r.pos, e))
        r.pos = e
        break
      }
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'DefaultData')
  if (names !== undefined) data.names = names
  return data
}

function decodeTensor (r: Reader, end: number): Tensor {
  let shape: number[] | undefined
  let values: Float64Array | undefined
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: {
        const e = r.sub(end)
        shape ??= []
        while (r.pos < e) shape.push(r.uint32() | 0)
        if (r.pos !== e) throw malformed('truncated packed Tensor.shape')
        break
      }
      case 0x08: (shape ??= []).push(r.uint32() | 0); break
      case 0x12: {
        const e = r.sub(end)
        values = appendDoubles(values, packedDoubles(r, e))
        r.pos = e
        break
      }
      case 0x11: values = appendDoubles(values, Float64Array.of(r.double(end))); break
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'Tensor')
  const t: Tensor = {}
  if (shape !== undefined && shape.length > 0) t.shape = shape
  if (values !== undefined && values.length > 0) t.values = values
  return t
}

/**
 * The packed doubles from r.pos to end: a view over the received bytes when they sit at an
 * 8-aligned address (no copy), else one bulk copy into a fresh, aligned buffer. Raw bytes are
 * taken as the host's doubles: little-endian hosts only (see wire.ts). The view shares memory
 * with the input buffer, which must not be reused while the message is alive.
 */
function packedDoubles (r: Reader, end: number): Float64Array {
  const bytes = end - r.pos
  if (bytes % 8 !== 0) throw malformed('packed double field length is not a multiple of 8')
  const buf = r.buf
  const at = buf.byteOffset + r.pos
  if (at % 8 === 0) return new Float64Array(buf.buffer, at, bytes / 8)
  const out = new Float64Array(bytes / 8)
  new Uint8Array(out.buffer).set(buf.subarray(r.pos, end))
  return out
}

function appendDoubles (a: Float64Array | undefined, b: Float64Array): Float64Array {
  if (a === undefined || a.length === 0) return b
  const out = new Float64Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}

function decodeAny (r: Reader, end: number): AnyMessage {
  let typeUrl = ''
  let value: Buffer = Buffer.alloc(0)
  while (r.pos < end) {
    const tag = r.uint32()
    if (tag === 0x0a) typeUrl = r.string(end)
    else if (tag === 0x12) value = r.bytes(end)
    else r.skip(tag, end)
  }
  endCheck(r, end, 'Any')
  return { typeUrl, value }
}

export function decodeFeedbackAt (r: Reader, end: number, ctx: DecodeContext): Feedback {
  const fb: Feedback = {}
  let reward = 0
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: fb.request = decodeSeldonMessageAt(r, r.sub(end), ctx); break
      case 0x12: fb.response = decodeSeldonMessageAt(r, r.sub(end), ctx); break
      case 0x1d: reward = r.float(end); break
      case 0x22: fb.truth = decodeSeldonMessageAt(r, r.sub(end), ctx); break
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'Feedback')
  if (!Object.is(reward, 0)) { fb.reward = reward; markFloat(fb, 'reward') }
  return fb
}

export function decodeSeldonMessageListAt (r: Reader, end: number, ctx: DecodeContext): SeldonMessageList {
  const seldonMessages: SeldonMessage[] = []
  while (r.pos < end) {
    const tag = r.uint32()
    if (tag === 0x0a) seldonMessages.push(decodeSeldonMessageAt(r, r.sub(end), ctx))
    else r.skip(tag, end)
  }
  endCheck(r, end, 'SeldonMessageList')
  return { seldonMessages }
}

export function decodeRequestResponseAt (r: Reader, end: number, ctx: DecodeContext): RequestResponse {
  const rr: RequestResponse = {}
  while (r.pos < end) {
    const tag = r.uint32()
    if (tag === 0x0a) rr.request = decodeSeldonMessageAt(r, r.sub(end), ctx)
    else if (tag === 0x12) rr.response = decodeSeldonMessageAt(r, r.sub(end), ctx)
    else r.skip(tag, end)
  }
  endCheck(r, end, 'RequestResponse')
  return rr
}

export function decodeSeldonModelMetadataRequestAt (r: Reader, end: number): SeldonModelMetadataRequest {
  let name = ''
  while (r.pos < end) {
    const tag = r.uint32()
    if (tag === 0x0a) name = r.string(end)
    else r.skip(tag, end)
  }
  endCheck(r, end, 'SeldonModelMetadataRequest')
  return name !== '' ? { name } : {}
}

function decodeMessageMetadata (r: Reader, end: number): SeldonMessageMetadata {
  let messagetype = ''
  let schema: JsonValue | undefined
  let name = ''
  let datatype = ''
  let shape: Array<number | bigint> | undefined
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: messagetype = r.string(end); break
      case 0x12: schema = decodeValue(r, r.sub(end), 1); break
      case 0x1a: name = r.string(end); break
      case 0x22: datatype = r.string(end); break
      case 0x28: (shape ??= []).push(r.int64()); break
      case 0x2a: {
        const e = r.sub(end)
        shape ??= []
        while (r.pos < e) shape.push(r.int64())
        if (r.pos !== e) throw malformed('truncated packed shape')
        break
      }
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'SeldonMessageMetadata')
  const out: SeldonMessageMetadata = {}
  if (messagetype !== '') out.messagetype = messagetype
  if (schema !== undefined) {
    out.schema = schema
    if (typeof schema === 'number') markFloat(out, 'schema')
  }
  if (name !== '') out.name = name
  if (datatype !== '') out.datatype = datatype
  if (shape !== undefined && shape.length > 0) out.shape = shape
  return out
}

export function decodeSeldonModelMetadataAt (r: Reader, end: number): SeldonModelMetadata {
  let name = ''
  let platform = ''
  let versions: string[] | undefined
  let inputs: SeldonMessageMetadata[] | undefined
  let outputs: SeldonMessageMetadata[] | undefined
  let custom: Record<string, string> | undefined
  const readString = (e: number): string => r.string(e)
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: name = r.string(end); break
      case 0x12: (versions ??= []).push(r.string(end)); break
      case 0x1a: platform = r.string(end); break
      case 0x22: (inputs ??= []).push(decodeMessageMetadata(r, r.sub(end))); break
      case 0x2a: (outputs ??= []).push(decodeMessageMetadata(r, r.sub(end))); break
      case 0x32: {
        custom ??= {}
        const [k, v] = decodeEntry(r, r.sub(end), 0x12, readString, '')
        setKey(custom, k, v)
        break
      }
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'SeldonModelMetadata')
  const out: SeldonModelMetadata = {}
  if (name !== '') out.name = name
  if (versions !== undefined) out.versions = versions
  if (platform !== '') out.platform = platform
  if (inputs !== undefined) out.inputs = inputs
  if (outputs !== undefined) out.outputs = outputs
  if (custom !== undefined) out.custom = custom
  return out
}

export function decodeSeldonGraphMetadataAt (r: Reader, end: number): SeldonGraphMetadata {
  let name = ''
  let models: Record<string, SeldonModelMetadata> | undefined
  let inputs: SeldonMessageMetadata[] | undefined
  let outputs: SeldonMessageMetadata[] | undefined
  const readModel = (e: number): SeldonModelMetadata => decodeSeldonModelMetadataAt(r, r.sub(e))
  while (r.pos < end) {
    const tag = r.uint32()
    switch (tag) {
      case 0x0a: name = r.string(end); break
      case 0x12: {
        models ??= {}
        const [k, v] = decodeEntry<SeldonModelMetadata>(r, r.sub(end), 0x12, readModel, {})
        setKey(models, k, v)
        break
      }
      case 0x1a: (inputs ??= []).push(decodeMessageMetadata(r, r.sub(end))); break
      case 0x22: (outputs ??= []).push(decodeMessageMetadata(r, r.sub(end))); break
      default: r.skip(tag, end)
    }
  }
  endCheck(r, end, 'SeldonGraphMetadata')
  const out: SeldonGraphMetadata = {}
  if (name !== '') out.name = name
  if (models !== undefined) out.models = models
  if (inputs !== undefined) out.inputs = inputs
  if (outputs !== undefined) out.outputs = outputs
  return out
}

// =============================================================================================
// encode: value checks shared by both passes

const isSet = (v: unknown): boolean => v !== undefined && v !== null

function typeName (v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? `an object (${(v as object).constructor?.name ?? 'no prototype'})` : `a ${typeof v}`
}

function expectObject (v: unknown, path: string): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badData(`${path} must be an object, got ${typeName(v)}`)
}

/** A string field: undefined/null are absent; anything else but a string is refused. */
function str (v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw badData(`${path} must be a string, got ${typeName(v)}`)
  return v
}

/** A number, unboxing the message form's stand-ins (JsonFloat, bigint). */
function num (v: unknown, path: string): number {
  if (typeof v === 'number') return v
  if (v instanceof Number) return v.valueOf()
  if (typeof v === 'bigint') return Number(v)
  throw badData(`${path} must be a number, got ${typeName(v)}`)
}

function int32 (v: unknown, path: string): number {
  const n = num(v, path)
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw badData(`${path} must be a 32-bit integer, got ${n}`)
  return n
}

function enumValue (v: unknown, names: readonly string[], path: string): number {
  if (v === undefined || v === null) return 0
  if (typeof v === 'string') {
    const i = names.indexOf(v)
    if (i < 0) throw badData(`${path} must be one of ${names.join(', ')}, got "${v}"`)
    return i
  }
  return int32(v, path)
}

/** float fields: written unless their float32 is +0 (proto3 compares the bits: -0 and NaN are written). */
function float32 (v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined
  const f = Math.fround(num(v, path))
  return Object.is(f, 0) ? undefined : f
}

function sizeString (s: string | undefined): number {
  return s === undefined || s === '' ? 0 : delimited(utf8Length(s))
}

function writeString (tag: number, s: string | undefined, w: Writer): void {
  if (s === undefined || s === '') return
  w.byte(tag)
  w.string(s)
}

function entries (v: unknown, path: string): Array<[string, unknown]> {
  expectObject(v, path)
  const out: Array<[string, unknown]> = []
  for (const key in v as object) {
    if (!Object.hasOwn(v as object, key)) continue
    const value = (v as Record<string, unknown>)[key]
    if (value !== undefined) out.push([key, value])
  }
  return out
}

function stringList (v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw badData(`${path} must be an array of strings, got ${typeName(v)}`)
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'string') throw badData(`${path}[${i}] must be a string, got ${typeName(v[i])}`)
  }
  return v as string[]
}

/** A bytes field: Uint8Array as is, a string as base64 (the JSON form). */
function bytesValue (v: unknown, path: string): Uint8Array {
  if (v instanceof Uint8Array) return v
  if (typeof v === 'string') return Buffer.from(v, 'base64')
  throw badData(`${path} must be bytes (Uint8Array) or a base64 string, got ${typeName(v)}`)
}

// =============================================================================================
// encode: SeldonMessage

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

/** map<string, string>: entries of key (1) and value (2), both always written. */
function sizeStringMap (map: unknown, plan: Plan, path: string): number {
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

function writeStringMap (tag: number, map: Record<string, string>, w: Writer): void {
  for (const [k, v] of entries(map, '')) {
    w.nested(tag)
    w.byte(0x0a); w.string(k)
    w.byte(0x12); w.string((v as string | null) ?? '')
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

// =============================================================================================
// encode: the other top-level messages

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

export function sizeSeldonModelMetadataRequest (m: SeldonModelMetadataRequest, _plan: Plan, path: string): number {
  expectObject(m, path)
  return sizeString(str(m.name, `${path}.name`))
}

export function writeSeldonModelMetadataRequest (m: SeldonModelMetadataRequest, w: Writer): void {
  writeString(0x0a, m.name ?? undefined, w)
}

function shapeHalves (v: unknown, path: string): Array<[number, number]> {
  if (!Array.isArray(v)) throw badData(`${path} must be an array of integers, got ${typeName(v)}`)
  return v.map((x: unknown, i) => {
    if (typeof x !== 'number' && typeof x !== 'bigint' && typeof x !== 'string') throw badData(`${path}[${i}] must be an integer, got ${typeName(x)}`)
    return int64Halves(x, `${path}[${i}]`)
  })
}

function sizeMessageMetadata (m: SeldonMessageMetadata, plan: Plan, path: string): number {
  expectObject(m, path)
  let n = sizeString(str(m.messagetype, `${path}.messagetype`))
  if (m.schema !== undefined) {
    const s = reserve(plan)
    const len = sizeValue(m.schema, plan, 1, `${path}.schema`)
    plan.lens[s] = len
    n += delimited(len)
  }
  n += sizeString(str(m.name, `${path}.name`))
  n += sizeString(str(m.datatype, `${path}.datatype`))
  if (isSet(m.shape)) {
    let len = 0
    for (const [lo, hi] of shapeHalves(m.shape, `${path}.shape`)) len += varint64Length(lo, hi)
    if (len > 0) n += delimited(len)
  }
  return n
}

function writeMessageMetadata (m: SeldonMessageMetadata, w: Writer): void {
  writeString(0x0a, m.messagetype ?? undefined, w)
  if (m.schema !== undefined) { w.nested(0x12); writeValue(m.schema, w) }
  writeString(0x1a, m.name ?? undefined, w)
  writeString(0x22, m.datatype ?? undefined, w)
  if (isSet(m.shape)) {
    const halves = shapeHalves(m.shape, '')
    let len = 0
    for (const [lo, hi] of halves) len += varint64Length(lo, hi)
    if (len > 0) {
      w.byte(0x2a)
      w.varint(len)
      for (const [lo, hi] of halves) w.varint64(lo, hi)
    }
  }
}

function sizeMetadataList (list: unknown, plan: Plan, path: string): number {
  if (!isSet(list)) return 0
  if (!Array.isArray(list)) throw badData(`${path} must be an array, got ${typeName(list)}`)
  let n = 0
  for (let i = 0; i < list.length; i++) {
    const s = reserve(plan)
    const len = sizeMessageMetadata(list[i] as SeldonMessageMetadata, plan, `${path}[${i}]`)
    plan.lens[s] = len
    n += delimited(len)
  }
  return n
}

function writeMetadataList (tag: number, list: SeldonMessageMetadata[] | undefined | null, w: Writer): void {
  if (!isSet(list)) return
  for (const m of list as SeldonMessageMetadata[]) { w.nested(tag); writeMessageMetadata(m, w) }
}

export function sizeSeldonModelMetadata (m: SeldonModelMetadata, plan: Plan, path: string): number {
  expectObject(m, path)
  let n = sizeString(str(m.name, `${path}.name`))
  if (isSet(m.versions)) {
    for (const v of stringList(m.versions, `${path}.versions`)) n += delimited(utf8Length(v))
  }
  n += sizeString(str(m.platform, `${path}.platform`))
  n += sizeMetadataList(m.inputs, plan, `${path}.inputs`)
  n += sizeMetadataList(m.outputs, plan, `${path}.outputs`)
  if (isSet(m.custom)) n += sizeStringMap(m.custom, plan, `${path}.custom`)
  return n
}

export function writeSeldonModelMetadata (m: SeldonModelMetadata, w: Writer): void {
  writeString(0x0a, m.name ?? undefined, w)
  if (isSet(m.versions)) {
    for (const v of m.versions as string[]) { w.byte(0x12); w.string(v) }
  }
  writeString(0x1a, m.platform ?? undefined, w)
  writeMetadataList(0x22, m.inputs, w)
  writeMetadataList(0x2a, m.outputs, w)
  if (isSet(m.custom)) writeStringMap(0x32, m.custom as Record<string, string>, w)
}

export function sizeSeldonGraphMetadata (g: SeldonGraphMetadata, plan: Plan, path: string): number {
  expectObject(g, path)
  let n = sizeString(str(g.name, `${path}.name`))
  if (isSet(g.models)) {
    for (const [k, v] of entries(g.models, `${path}.models`)) {
      const entrySlot = reserve(plan)
      const valueSlot = reserve(plan)
      const vlen = sizeSeldonModelMetadata(v as SeldonModelMetadata, plan, `${path}.models.${k}`)
      plan.lens[valueSlot] = vlen
      const len = delimited(utf8Length(k)) + delimited(vlen)
      plan.lens[entrySlot] = len
      n += delimited(len)
    }
  }
  n += sizeMetadataList(g.inputs, plan, `${path}.inputs`)
  n += sizeMetadataList(g.outputs, plan, `${path}.outputs`)
  return n
}

export function writeSeldonGraphMetadata (g: SeldonGraphMetadata, w: Writer): void {
  writeString(0x0a, g.name ?? undefined, w)
  if (isSet(g.models)) {
    for (const [k, v] of entries(g.models, '')) {
      w.nested(0x12)
      w.byte(0x0a); w.string(k)
      w.nested(0x12)
      writeSeldonModelMetadata(v as SeldonModelMetadata, w)
    }
  }
  writeMetadataList(0x1a, g.inputs, w)
  writeMetadataList(0x22, g.outputs, w)
}
