/**
 * Property tests of the protobuf codec: random messages (in the canonical form decoding gives)
 * survive encode → decode, encode to the same bytes as protobufjs reflection, decode the same as
 * protobufjs reads them, and survive the JSON path (messageFromJson).
 */
import t from 'tap'
import fc from 'fast-check'
import type protobuf from 'protobufjs'
import {
  decodeFeedback, decodeSeldonMessage, decodeSeldonMessageList, decodeSeldonModelMetadata, encodeFeedback, encodeSeldonMessage,
  encodeSeldonMessageList, encodeSeldonModelMetadata, feedbackFromJson, loadSeldonRoot, messageFromJson, messageListFromJson
} from '../src/proto/index.js'
import { NDArray } from '../src/ndarray.js'
import { toPlain } from './fixtures/plain.js'
import type { Feedback, JsonValue, SeldonMessage, SeldonMessageList, SeldonModelMetadata } from '../src/types.js'

/** proto3 JSON: like toPlain, with non-finite float fields quoted ("Infinity"), as ParseDict wants them. */
function toProtoJson (v: unknown, floatField = false): unknown {
  if (typeof v === 'number' && floatField && !Number.isFinite(v)) return String(v)
  if (v instanceof Float64Array) return Array.from(v, (x) => toProtoJson(x, true))
  if (v instanceof Uint8Array || v instanceof NDArray) return toPlain(v)
  if (Array.isArray(v)) return v.map((x) => toProtoJson(x))
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(v)) out[k] = toProtoJson(x, k === 'value' || k === 'reward')
    return out
  }
  return v
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')

// ---------------------------------------------------------------------------------------------
// arbitraries: the canonical message form (what decoding produces)

const key = fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__')
const text = fc.string({ maxLength: 12, unit: 'grapheme' })
const nonEmptyText = fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' })
/** -0 is left out: protobufjs skips a -0 float field where Python (and this codec) write it. */
const double = fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0))
const float32 = fc.float({ noNaN: true }).filter((x) => x !== 0)
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff })
const bytes = fc.uint8Array({ maxLength: 16 }).map((u) => Buffer.from(u))

const { value: jsonValue } = fc.letrec<{ value: JsonValue, list: JsonValue[], struct: Record<string, JsonValue> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), fc.boolean(), double, text, tie('list'), tie('struct')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  struct: fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true })
}))
const jsonList = fc.array(jsonValue, { maxLength: 5 })

const status = fc.record({
  code: int32.filter((x) => x !== 0), info: nonEmptyText, reason: nonEmptyText, status: fc.constant('FAILURE' as const)
}, { requiredKeys: [] })

const metric = fc.record({
  key: nonEmptyText,
  type: fc.constantFrom('GAUGE' as const, 'TIMER' as const),
  value: float32,
  tags: fc.dictionary(key, text, { minKeys: 1, maxKeys: 3, noNullPrototype: true })
}, { requiredKeys: [] })

const meta = fc.record({
  puid: nonEmptyText,
  tags: fc.dictionary(key, jsonValue, { minKeys: 1, maxKeys: 3, noNullPrototype: true }),
  routing: fc.dictionary(key, int32, { minKeys: 1, maxKeys: 3, noNullPrototype: true }),
  requestPath: fc.dictionary(key, text, { minKeys: 1, maxKeys: 3, noNullPrototype: true }),
  metrics: fc.array(metric, { minLength: 1, maxLength: 3 })
}, { requiredKeys: [] })

const rectangular = fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 5 })).chain(([rows, cols]) =>
  fc.array(fc.array(double, { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows }))

const tensor = fc.record({
  shape: fc.array(int32, { minLength: 1, maxLength: 4 }),
  values: fc.array(double, { minLength: 1, maxLength: 20 }).map((v) => Float64Array.from(v))
}, { requiredKeys: [] })

const names = fc.array(text, { minLength: 1, maxLength: 4 })
const defaultData = fc.oneof(
  fc.record({ names }, { requiredKeys: [] }),
  fc.record({ names, tensor }, { requiredKeys: ['tensor'] }),
  fc.record({ names, ndarray: fc.oneof(jsonList, rectangular) }, { requiredKeys: ['ndarray'] })
)

const payload = fc.oneof(
  fc.constant({}),
  fc.record({ data: defaultData }),
  fc.record({ binData: bytes }),
  fc.record({ strData: text }),
  fc.record({ jsonData: jsonValue }),
  fc.record({ customData: fc.record({ typeUrl: text, value: bytes }) })
)

const seldonMessage: fc.Arbitrary<SeldonMessage> = fc.tuple(fc.record({ status, meta }, { requiredKeys: [] }), payload)
  .map(([head, body]) => ({ ...head, ...body }) as SeldonMessage)

const feedback: fc.Arbitrary<Feedback> = fc.record({ request: seldonMessage, response: seldonMessage, reward: float32, truth: seldonMessage }, { requiredKeys: [] })

const messageMetadata = fc.record({
  messagetype: nonEmptyText,
  schema: jsonValue,
  name: nonEmptyText,
  datatype: nonEmptyText,
  shape: fc.array(fc.oneof(fc.integer({ min: -1, max: 1 << 20 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).filter((b) => b < -(2n ** 53n) || b > 2n ** 53n)), { minLength: 1, maxLength: 3 })
}, { requiredKeys: [] })

const modelMetadata: fc.Arbitrary<SeldonModelMetadata> = fc.record({
  name: nonEmptyText,
  versions: fc.array(text, { minLength: 1, maxLength: 3 }),
  platform: nonEmptyText,
  inputs: fc.array(messageMetadata, { minLength: 1, maxLength: 2 }),
  outputs: fc.array(messageMetadata, { minLength: 1, maxLength: 2 }),
  custom: fc.dictionary(key, text, { minKeys: 1, maxKeys: 3, noNullPrototype: true })
}, { requiredKeys: [] })

// ---------------------------------------------------------------------------------------------
// protobufjs reflection, for the cross-check (the Root keeps the .proto names; its bundled
// google.protobuf.Value uses camelCase field names, Any snake_case)

const root = loadSeldonRoot()
const PB = {
  SeldonMessage: root.lookupType('seldon.protos.SeldonMessage'),
  Feedback: root.lookupType('seldon.protos.Feedback'),
  SeldonMessageList: root.lookupType('seldon.protos.SeldonMessageList'),
  SeldonModelMetadata: root.lookupType('seldon.protos.SeldonModelMetadata')
}
const TO_OBJECT: protobuf.IConversionOptions = { enums: String, longs: String, defaults: false, arrays: false, objects: false }

function mapValues<A, B> (o: Record<string, A>, f: (a: A) => B): Record<string, B> {
  const out: Record<string, B> = {}
  for (const [k, v] of Object.entries(o)) out[k] = f(v)
  return out
}

function valueToPb (v: JsonValue): Record<string, unknown> {
  if (v === null) return { nullValue: 0 }
  if (typeof v === 'number') return { numberValue: v }
  if (typeof v === 'string') return { stringValue: v }
  if (typeof v === 'boolean') return { boolValue: v }
  if (Array.isArray(v)) return { listValue: { values: v.map(valueToPb) } }
  return { structValue: { fields: mapValues(v as Record<string, JsonValue>, valueToPb) } }
}

function valueFromPb (v: Record<string, unknown>): JsonValue {
  if ('numberValue' in v) return v.numberValue as number
  if ('stringValue' in v) return v.stringValue as string
  if ('boolValue' in v) return v.boolValue as boolean
  if ('listValue' in v) return (((v.listValue as { values?: unknown[] }).values ?? []) as Array<Record<string, unknown>>).map(valueFromPb)
  if ('structValue' in v) return mapValues(((v.structValue as { fields?: Record<string, unknown> }).fields ?? {}) as Record<string, Record<string, unknown>>, valueFromPb)
  return null
}

function messageToPb (m: SeldonMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { ...m }
  if (m.meta?.tags !== undefined) out.meta = { ...m.meta, tags: mapValues(m.meta.tags, valueToPb) }
  if (m.data !== undefined) {
    const data: Record<string, unknown> = { ...m.data }
    if (m.data.tensor?.values !== undefined) data.tensor = { ...m.data.tensor, values: Array.from(m.data.tensor.values as Float64Array) }
    if (m.data.ndarray !== undefined) data.ndarray = valueToPb(m.data.ndarray as JsonValue[]).listValue
    out.data = data
  }
  if ('jsonData' in m) out.jsonData = valueToPb(m.jsonData as JsonValue)
  if (m.customData !== undefined) out.customData = { type_url: m.customData.typeUrl, value: m.customData.value }
  return out
}

function messageFromPb (o: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = { ...o }
  const meta = o.meta as Record<string, unknown> | undefined
  if (meta?.tags !== undefined) out.meta = { ...meta, tags: mapValues(meta.tags as Record<string, Record<string, unknown>>, valueFromPb) }
  const data = o.data as Record<string, unknown> | undefined
  if (data?.ndarray !== undefined) out.data = { ...data, ndarray: valueFromPb({ listValue: data.ndarray }) }
  if (o.jsonData !== undefined) out.jsonData = valueFromPb(o.jsonData as Record<string, unknown>)
  const any = o.customData as Record<string, unknown> | undefined
  if (any !== undefined) out.customData = { typeUrl: any.type_url ?? '', value: any.value ?? Buffer.alloc(0) }
  return out
}

function feedbackToPb (f: Feedback): Record<string, unknown> {
  const out: Record<string, unknown> = { ...f }
  for (const k of ['request', 'response', 'truth'] as const) if (f[k] !== undefined) out[k] = messageToPb(f[k])
  return out
}

function feedbackFromPb (o: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = { ...o }
  for (const k of ['request', 'response', 'truth']) if (o[k] !== undefined) out[k] = messageFromPb(o[k] as Record<string, unknown>)
  return out
}

function metadataToPb (m: SeldonModelMetadata): Record<string, unknown> {
  const io = (list: SeldonModelMetadata['inputs']): unknown => list?.map((x) => ({
    ...x,
    ...('schema' in x ? { schema: valueToPb(x.schema as JsonValue) } : {}),
    ...(x.shape !== undefined ? { shape: x.shape.map(String) } : {})
  }))
  return { ...m, ...(m.inputs ? { inputs: io(m.inputs) } : {}), ...(m.outputs ? { outputs: io(m.outputs) } : {}) }
}

// ---------------------------------------------------------------------------------------------

const runs = { numRuns: 300 }

t.test('SeldonMessage: encode → decode is the identity on the canonical form', async (t) => {
  fc.assert(fc.property(seldonMessage, (m) => {
    t.same(toPlain(decodeSeldonMessage(encodeSeldonMessage(m))), toPlain(m))
  }), runs)
})

t.test('SeldonMessage: same bytes as protobufjs, and protobufjs reads ours back', async (t) => {
  fc.assert(fc.property(seldonMessage, (m) => {
    const ours = encodeSeldonMessage(m)
    const theirs = PB.SeldonMessage.encode(PB.SeldonMessage.fromObject(messageToPb(m))).finish()
    t.equal(hex(ours), hex(theirs))
    const read = PB.SeldonMessage.toObject(PB.SeldonMessage.decode(ours), TO_OBJECT)
    t.same(toPlain(messageFromPb(read)), toPlain(m))
  }), runs)
})

t.test('Feedback and SeldonMessageList: round trip and protobufjs bytes', async (t) => {
  fc.assert(fc.property(feedback, (f) => {
    const ours = encodeFeedback(f)
    t.same(toPlain(decodeFeedback(ours)), toPlain(f))
    t.equal(hex(ours), hex(PB.Feedback.encode(PB.Feedback.fromObject(feedbackToPb(f))).finish()))
    t.same(toPlain(feedbackFromPb(PB.Feedback.toObject(PB.Feedback.decode(ours), TO_OBJECT))), toPlain(f))
  }), { numRuns: 100 })
  fc.assert(fc.property(fc.array(seldonMessage, { maxLength: 3 }), (seldonMessages) => {
    const list: SeldonMessageList = { seldonMessages }
    const ours = encodeSeldonMessageList(list)
    t.same(toPlain(decodeSeldonMessageList(ours)), toPlain(list))
    t.equal(hex(ours), hex(PB.SeldonMessageList.encode(PB.SeldonMessageList.fromObject({ seldonMessages: seldonMessages.map(messageToPb) })).finish()))
  }), { numRuns: 100 })
})

t.test('SeldonModelMetadata: round trip and protobufjs bytes', async (t) => {
  fc.assert(fc.property(modelMetadata, (m) => {
    const ours = encodeSeldonModelMetadata(m)
    t.same(toPlain(decodeSeldonModelMetadata(ours)), toPlain(m))
    t.equal(hex(ours), hex(PB.SeldonModelMetadata.encode(PB.SeldonModelMetadata.fromObject(metadataToPb(m))).finish()))
  }), runs)
})

t.test('ndarray: the NDArray decoding agrees with the nested one', async (t) => {
  fc.assert(fc.property(fc.oneof(rectangular, jsonList, fc.array(rectangular, { maxLength: 3 })), (nested) => {
    const bytes = encodeSeldonMessage({ data: { ndarray: nested as JsonValue[] } })
    const plain = decodeSeldonMessage(bytes).data?.ndarray
    const fast = decodeSeldonMessage(bytes, { ndarrayAs: 'ndarray' }).data?.ndarray
    t.same(toPlain(fast), toPlain(plain))
    if (fast instanceof NDArray) {
      // and encoding the NDArray gives the bytes back
      t.equal(hex(encodeSeldonMessage({ data: { ndarray: fast } })), hex(bytes))
    }
  }), runs)
  fc.assert(fc.property(rectangular.filter((r) => r.length > 0), (rows) => {
    const fast = decodeSeldonMessage(encodeSeldonMessage({ data: { ndarray: rows } }), { ndarrayAs: 'ndarray' }).data?.ndarray
    t.ok(fast instanceof NDArray, 'a rectangular array of numbers becomes an NDArray')
  }), { numRuns: 50 })
})

t.test('JSON path: messageFromJson of the proto3 JSON gives the decoded message', async (t) => {
  const jsonable = seldonMessage.filter((m) => m.customData === undefined)
  fc.assert(fc.property(jsonable, (m) => {
    const parsed = messageFromJson(toProtoJson(m))
    t.same(toPlain(parsed), toPlain(m))
    t.same(toPlain(decodeSeldonMessage(encodeSeldonMessage(parsed))), toPlain(m), 'decode(encode(x)) === x')
  }), runs)
  fc.assert(fc.property(feedback.filter((f) => [f.request, f.response, f.truth].every((m) => m?.customData === undefined)), (f) => {
    t.same(toPlain(feedbackFromJson(toProtoJson(f))), toPlain(f))
  }), { numRuns: 100 })
  fc.assert(fc.property(fc.array(seldonMessage.filter((m) => m.customData === undefined), { maxLength: 3 }), (seldonMessages) => {
    t.same(toPlain(messageListFromJson(toProtoJson({ seldonMessages }))), toPlain({ seldonMessages }))
  }), { numRuns: 50 })
})
