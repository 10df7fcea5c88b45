/**
 * seldon.protos wire bytes → message form, by hand (field numbers: seldon-core v1.18.2
 * `python/seldon_core/proto/prediction.proto`; rules: docs/wire-format.md, "Protobuf").
 *
 * Decoding follows Python's MessageToDict: scalar fields at their default (0, '', empty list or
 * map, enum value 0) are absent; sub-messages present on the wire are present even when empty
 * (`meta: {}`); oneof members are present whatever their value (`strData: ''`); the last oneof
 * member on the wire wins. The metadata messages are in decode-metadata.ts.
 */
import { markFloat } from '../marks.js'
import type { NDArray } from '../ndarray.js'
import type {
  AnyMessage, DefaultData, Feedback, JsonValue, Meta, Metric, RequestResponse, SeldonMessage, SeldonMessageList, Status, Tensor
} from '../types.js'
import { METRIC_TYPES, STATUS_FLAGS } from './enums.js'
import { decodeListValue, decodeListValueAsNDArray, decodeValue } from './struct.js'
import { setOwnKey } from '../own-key.js'
import { decodeTensorProto } from './tensorflow.js'
import { type Reader, malformed } from './wire.js'

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

/** An enum value by name; numbers unknown to the enum stay numbers (proto3 open enums). */
export function enumName (names: readonly string[], v: number): string | number {
  return names[v] ?? v
}

export function endCheck (r: Reader, end: number, what: string): void {
  if (r.pos > end) throw malformed(`truncated ${what}`)
}

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
export function decodeEntry<T> (r: Reader, end: number, valueTag: number, readValue: (end: number) => T, empty: T): [string, T] {
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
        setOwnKey(tags, k, v)
        break
      }
      case 0x1a: {
        routing ??= {}
        const [k, v] = decodeEntry(r, r.sub(end), 0x10, readInt32, 0)
        setOwnKey(routing, k, v)
        break
      }
      case 0x22: {
        requestPath ??= {}
        const [k, v] = decodeEntry(r, r.sub(end), 0x12, readString, '')
        setOwnKey(requestPath, k, v)
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
        setOwnKey(tags, k, v)
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
