/**
 * Payload decoding (what a user method receives) and encoding (what a user method returned, as a
 * message, with the Python wrapper's type mirroring): seldon-core v1.18.2
 * `python/seldon_core/utils.py` (extract_request_parts*, construct_response*), in words in
 * docs/wire-format.md, "Payloads" and "Results". Shared by REST and gRPC: the message form is the
 * same, only a few rules differ by transport.
 */
import {
  BadDataError, InternalError, InvalidRequestDataTypeError, UnknownReturnTypeError, badData, isSeldonError
} from './errors.js'
import { float } from './marks.js'
import { setOwnKey } from './own-key.js'
import { pyRepr, pyStr } from './py-repr.js'
import { NDArray, isFloatDType, isTypedNumberArray, type DType, type NumericDType } from './ndarray.js'
import type {
  AnyMessage, DataKind, DefaultData, JsonValue, PayloadKind, SeldonMessage, TensorProto, Transport
} from './types.js'

/** A request payload decoded for a user method. */
export interface DecodedPayload {
  /** The SeldonMessage oneof member the request used. */
  kind: PayloadKind
  /** For `data`: the DefaultData oneof member ('none' when `data` had none). */
  dataKind: DataKind
  /** `X`: an NDArray for data, a Buffer for binData, the string, the JSON value, the Any. */
  features: unknown
  /** `data.names`, or [] for other payloads. */
  names: string[]
}

const hasOwn = Object.prototype.hasOwnProperty

function isPlainObject (value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Decode the payload of a request message (REST: the parsed JSON; gRPC: the decoded proto). */
export function decodePayload (message: unknown, transport: Transport): DecodedPayload {
  if (!isPlainObject(message)) throw new InvalidRequestDataTypeError(pyRepr(message))
  if (hasOwn.call(message, 'data') && message.data !== undefined) return decodeData(message.data, transport)
  if (hasOwn.call(message, 'jsonData') && message.jsonData !== undefined) {
    return { kind: 'jsonData', dataKind: 'none', features: message.jsonData, names: [] }
  }
  if (hasOwn.call(message, 'strData') && message.strData !== undefined) {
    if (typeof message.strData !== 'string') throw badData('strData must be a string')
    return { kind: 'strData', dataKind: 'none', features: message.strData, names: [] }
  }
  if (hasOwn.call(message, 'binData') && message.binData !== undefined) {
    return { kind: 'binData', dataKind: 'none', features: decodeBytes(message.binData, 'binData'), names: [] }
  }
  if (transport === 'grpc' && message.customData !== undefined) {
    return { kind: 'customData', dataKind: 'none', features: message.customData, names: [] }
  }
  if (transport === 'grpc') throw badData('Unknown data in SeldonMessage')
  throw new InvalidRequestDataTypeError(pyRepr(message))
}

function decodeNames (data: Record<string, unknown>): string[] {
  const names = data.names
  if (names === undefined || names === null) return []
  if (!Array.isArray(names) || !names.every(n => typeof n === 'string')) throw badData('data.names must be an array of strings')
  return names as string[]
}

function decodeData (data: unknown, transport: Transport): DecodedPayload {
  if (!isPlainObject(data)) throw badData('data must be an object with one of tensor, ndarray or tftensor')
  const names = decodeNames(data)
  if (data.tensor !== undefined && data.tensor !== null) {
    return { kind: 'data', dataKind: 'tensor', features: decodeTensor(data.tensor, transport), names }
  }
  if (data.ndarray !== undefined && data.ndarray !== null) {
    const nd = data.ndarray
    if (nd instanceof NDArray) return { kind: 'data', dataKind: 'ndarray', features: nd, names }
    if (!Array.isArray(nd)) throw badData('data.ndarray must be an array')
    return { kind: 'data', dataKind: 'ndarray', features: NDArray.fromNested(nd), names }
  }
  if (data.tftensor !== undefined && data.tftensor !== null) {
    return { kind: 'data', dataKind: 'tftensor', features: decodeTfTensor(data.tftensor as TensorProto), names }
  }
  // The Python wrapper hands over an empty float array when `data` has no known member.
  return { kind: 'data', dataKind: 'none', features: new NDArray(new Float64Array(0), [0], 'float64'), names }
}

function decodeTensor (tensor: unknown, transport: Transport): NDArray {
  if (!isPlainObject(tensor)) throw badData('data.tensor must be an object with shape and values')
  const shape = tensor.shape ?? (transport === 'grpc' ? undefined : null)
  const rawValues = tensor.values ?? []
  if (shape === null) throw badData('data.tensor.shape is required')
  let values: NDArray
  if (isTypedNumberArray(rawValues)) {
    values = new NDArray(rawValues)
  } else if (rawValues instanceof NDArray) {
    values = rawValues
  } else if (Array.isArray(rawValues)) {
    values = NDArray.fromNested(rawValues)
    if (values.ndim !== 1 || !values.isNumeric) throw badData('data.tensor.values must be a flat array of numbers')
  } else {
    throw badData('data.tensor.values must be an array of numbers')
  }
  if (shape === undefined) return values
  if (!Array.isArray(shape) || !shape.every(d => typeof d === 'number' && Number.isInteger(d) && d >= -1)) {
    throw badData('data.tensor.shape must be an array of integers')
  }
  return checkImpliedSize(values.reshape(shape as number[]), 'data.tensor.shape')
}

/**
 * The most elements a request array may declare beyond the values it carries. TensorFlow's fill
 * rule (a tftensor with fewer values than its shape repeats the last one) and the dimensions of an
 * empty array (each column becomes a `t:<i>` name in the answer) would otherwise let a request of
 * a few bytes make the server build gigabytes. 2^20: a broadcast 1000×1000 constant still decodes.
 */
export const MAX_IMPLIED_ELEMENTS = 2 ** 20

/** The product of the non-zero dimensions: what an empty array's shape declares. */
function impliedSize (shape: readonly number[]): number {
  return shape.reduce((a, d) => a * (d === 0 ? 1 : d), 1)
}

function checkImpliedSize (array: NDArray, field: string): NDArray {
  if (array.size === 0 && impliedSize(array.shape) > MAX_IMPLIED_ELEMENTS) {
    throw badData(`${field} ${JSON.stringify(array.shape)} declares more than ${MAX_IMPLIED_ELEMENTS} elements for an empty array`)
  }
  return array
}

// ── tftensor ────────────────────────────────────────────────────────────────────────────────

const TF_DTYPES: Record<string, { dtype: DType, bytes: number, field: keyof TensorProto }> = {
  DT_FLOAT: { dtype: 'float32', bytes: 4, field: 'floatVal' },
  DT_DOUBLE: { dtype: 'float64', bytes: 8, field: 'doubleVal' },
  DT_INT32: { dtype: 'int32', bytes: 4, field: 'intVal' },
  DT_UINT8: { dtype: 'uint8', bytes: 1, field: 'intVal' },
  DT_INT16: { dtype: 'int16', bytes: 2, field: 'intVal' },
  DT_INT8: { dtype: 'int8', bytes: 1, field: 'intVal' },
  DT_UINT16: { dtype: 'uint16', bytes: 2, field: 'intVal' },
  DT_INT64: { dtype: 'int64', bytes: 8, field: 'int64Val' },
  DT_UINT32: { dtype: 'uint32', bytes: 4, field: 'uint32Val' },
  DT_UINT64: { dtype: 'uint64', bytes: 8, field: 'uint64Val' },
  DT_BOOL: { dtype: 'bool', bytes: 1, field: 'boolVal' },
  DT_STRING: { dtype: 'string', bytes: 0, field: 'stringVal' }
}

const TF_NAME_OF: Partial<Record<DType, string>> = {
  float32: 'DT_FLOAT',
  float64: 'DT_DOUBLE',
  int32: 'DT_INT32',
  uint8: 'DT_UINT8',
  int16: 'DT_INT16',
  int8: 'DT_INT8',
  uint16: 'DT_UINT16',
  int64: 'DT_INT64',
  uint32: 'DT_UINT32',
  uint64: 'DT_UINT64',
  bool: 'DT_BOOL',
  string: 'DT_STRING'
}

function tfShape (proto: TensorProto): number[] {
  const tensorShape: unknown = proto.tensorShape ?? {}
  if (!isPlainObject(tensorShape)) throw badData('data.tftensor.tensorShape must be an object')
  const dims: unknown = tensorShape.dim ?? []
  if (!Array.isArray(dims) || !dims.every(d => isPlainObject(d))) throw badData('data.tftensor.tensorShape.dim must be a list of {"size": ...}')
  return dims.map(d => {
    // proto3 JSON writes int64 as a string; anything else (an object, a list) is the client's mistake
    const size: unknown = d.size ?? 0
    const n = typeof size === 'number' ? size : typeof size === 'bigint' || typeof size === 'string' ? Number(size) : NaN
    if (!Number.isInteger(n) || n < 0) throw badData('data.tftensor.tensorShape.dim[].size must be a non-negative integer')
    return n
  })
}

/** The typed-value list of a TensorProto (`floatVal`...), checked to be a list. */
function tfValues (proto: TensorProto, field: keyof TensorProto): unknown[] {
  const raw: unknown = proto[field] ?? []
  if (!Array.isArray(raw) && !ArrayBuffer.isView(raw)) throw badData(`data.tftensor.${field} must be a list`)
  return Array.from(raw as ArrayLike<unknown>)
}

function typedFromBytes (bytes: Uint8Array, dtype: DType): NDArray['data'] {
  // Copy into a fresh aligned buffer once; TensorProto content is little-endian like this host.
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  const buf = copy.buffer
  switch (dtype) {
    case 'float32': return new Float32Array(buf)
    case 'float64': return new Float64Array(buf)
    case 'int32': return new Int32Array(buf)
    case 'int16': return new Int16Array(buf)
    case 'int8': return new Int8Array(buf)
    case 'uint16': return new Uint16Array(buf)
    case 'uint32': return new Uint32Array(buf)
    case 'int64': return int64ToSafe(new BigInt64Array(buf))
    case 'uint64': return int64ToSafe(new BigUint64Array(buf))
    case 'bool': return Array.from(copy, b => b !== 0)
    default: return copy
  }
}

/** int64 content as a Float64Array while every value is a safe integer (the NDArray convention). */
function int64ToSafe (big: BigInt64Array | BigUint64Array): Float64Array | BigInt64Array | BigUint64Array {
  const out = new Float64Array(big.length)
  for (let i = 0; i < big.length; i++) {
    const v = big[i] as bigint
    if (v > 9007199254740991n || v < -9007199254740991n) return big
    out[i] = Number(v)
  }
  return out
}

/** Decode a TensorFlow TensorProto (proto-JSON or protobuf form) into an NDArray. */
export function decodeTfTensor (proto: TensorProto): NDArray {
  if (!isPlainObject(proto)) throw badData('data.tftensor must be a TensorProto object')
  // dtype comes from the client: only a string names a type (String() of an object could throw)
  const dtype = typeof proto.dtype === 'string' ? proto.dtype : 'DT_INVALID'
  const info = Object.prototype.hasOwnProperty.call(TF_DTYPES, dtype) ? TF_DTYPES[dtype] : undefined
  if (info === undefined) throw badData(`data.tftensor.dtype ${typeof proto.dtype === 'string' ? proto.dtype : pyRepr(proto.dtype)} is not supported`)
  const shape = tfShape(proto)
  const size = shape.reduce((a, b) => a * b, 1)
  if (proto.tensorContent !== undefined && proto.tensorContent !== '' && info.bytes > 0) {
    const bytes = decodeBytes(proto.tensorContent, 'data.tftensor.tensorContent')
    if (bytes.byteLength !== size * info.bytes) {
      throw badData(`data.tftensor.tensorContent holds ${bytes.byteLength} bytes, shape ${JSON.stringify(shape)} of ${proto.dtype} needs ${size * info.bytes}`)
    }
    return checkImpliedSize(new NDArray(typedFromBytes(bytes, info.dtype), shape, info.dtype), 'data.tftensor.tensorShape')
  }
  let values = tfValues(proto, info.field)
  if (info.dtype === 'string') {
    values = values.map(v => {
      if (typeof v === 'string') return Buffer.from(v, 'base64').toString('utf8')
      if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8')
      throw badData('data.tftensor.stringVal must be a list of base64 strings')
    })
  } else if (info.dtype === 'bool') {
    values = values.map(Boolean)
  } else {
    // numbers, or proto3 JSON's strings ("1", "NaN"); an integer dtype takes integers only
    const integral = !isFloatDType(info.dtype)
    values = values.map(v => {
      const n = typeof v === 'number' ? v : typeof v === 'bigint' || (typeof v === 'string' && v.trim() !== '') ? Number(v) : NaN
      if (integral ? !Number.isInteger(n) : Number.isNaN(n) && !(typeof v === 'number' || v === 'NaN')) {
        throw badData(`data.tftensor.${info.field} must be a list of ${integral ? 'integers' : 'numbers'}`)
      }
      return n
    })
  }
  // TensorFlow repeats the last value to fill the shape when fewer are given.
  if (values.length !== size) {
    if (values.length === 0 || values.length > size) throw badData(`data.tftensor has ${values.length} values for shape ${JSON.stringify(shape)}`)
    if (size > MAX_IMPLIED_ELEMENTS) {
      throw badData(`data.tftensor has ${values.length} values for shape ${JSON.stringify(shape)}: filling it would make more than ${MAX_IMPLIED_ELEMENTS} elements`)
    }
    const last = values[values.length - 1]
    while (values.length < size) values.push(last)
  }
  if (info.dtype === 'string' || info.dtype === 'bool') return checkImpliedSize(new NDArray(values, shape, info.dtype), 'data.tftensor.tensorShape')
  return checkImpliedSize(new NDArray(Float64Array.from(values as number[]), shape, info.dtype), 'data.tftensor.tensorShape')
}

/** An NDArray as a TensorProto message form (tensorContent as bytes; the JSON codec prints base64). */
export function encodeTfTensor (array: NDArray): TensorProto {
  const dtype = TF_NAME_OF[array.dtype]
  if (dtype === undefined) throw new InternalError(`cannot encode an array of dtype ${array.dtype} as tftensor`)
  const tensorShape = { dim: array.shape.map(size => ({ size: String(size) })) }
  if (array.dtype === 'string') {
    return { dtype, tensorShape, stringVal: (array.data as unknown[]).map(s => Buffer.from(String(s), 'utf8')) }
  }
  if (array.dtype === 'bool') {
    return { dtype, tensorShape, tensorContent: Buffer.from(Uint8Array.from(array.data as unknown[], b => (b ? 1 : 0))) }
  }
  let content: ArrayBufferView
  const src = array.data
  switch (array.dtype) {
    case 'float32': content = src instanceof Float32Array ? src : Float32Array.from(src as ArrayLike<number>, Number); break
    case 'float64': content = array.toFloat64(); break
    case 'int32': content = src instanceof Int32Array ? src : Int32Array.from(src as ArrayLike<number>, Number); break
    case 'int16': content = src instanceof Int16Array ? src : Int16Array.from(src as ArrayLike<number>, Number); break
    case 'int8': content = src instanceof Int8Array ? src : Int8Array.from(src as ArrayLike<number>, Number); break
    case 'uint8': content = src instanceof Uint8Array ? src : Uint8Array.from(src as ArrayLike<number>, Number); break
    case 'uint16': content = src instanceof Uint16Array ? src : Uint16Array.from(src as ArrayLike<number>, Number); break
    case 'uint32': content = src instanceof Uint32Array ? src : Uint32Array.from(src as ArrayLike<number>, Number); break
    case 'int64': content = src instanceof BigInt64Array ? src : BigInt64Array.from(src as ArrayLike<unknown>, v => BigInt(v as number)); break
    default: content = src instanceof BigUint64Array ? src : BigUint64Array.from(src as ArrayLike<unknown>, v => BigInt(v as number))
  }
  return { dtype, tensorShape, tensorContent: Buffer.from(content.buffer, content.byteOffset, content.byteLength) }
}

// ── bytes ───────────────────────────────────────────────────────────────────────────────────

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const BASE64_URL = /^[A-Za-z0-9_-]*={0,2}$/

/** bytes from the message form: a Buffer/Uint8Array as is, a base64 string decoded strictly. */
export function decodeBytes (value: unknown, field: string): Buffer {
  if (Buffer.isBuffer(value)) return value
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  if (typeof value !== 'string') throw badData(`${field} must be a base64 string`)
  const text = value.replace(/[\r\n]/g, '')
  if (BASE64.test(text)) return Buffer.from(text, 'base64')
  // proto3 JSON also accepts the URL-safe alphabet and missing padding
  if (BASE64_URL.test(text) && text.replace(/=+$/, '').length % 4 !== 1) return Buffer.from(text, 'base64url')
  throw badData(`${field} is not valid base64`)
}

// ── encoding of a user's result ─────────────────────────────────────────────────────────────

export interface EncodeOptions {
  /** The request's payload, for type mirroring (tensor in → tensor out...). */
  request: Pick<DecodedPayload, 'kind' | 'dataKind'> | undefined
  transport: Transport
  /**
   * The component's class names, asked only for results of 2 dimensions and up;
   * undefined → `t:0`, `t:1`...
   */
  classNames?: () => string[] | undefined
  /**
   * Render like protobuf's MessageToDict (the Python wrapper's feedback path and gRPC): numbers in
   * arrays print as floats, empty names are omitted.
   */
  protoJson?: boolean
}

/** The payload part of a response message for a user's result (data/strData/binData/jsonData/customData). */
export function encodeResult (result: unknown, options: EncodeOptions): SeldonMessage {
  if (typeof result === 'string') return { strData: result }
  if (result instanceof NDArray) return { data: encodeArray(result, result, options) }
  if (Array.isArray(result)) {
    let array: NDArray
    try {
      array = NDArray.fromNested(result)
    } catch (err) {
      // A ragged list returned by the user is the server's fault, not the client's.
      if (isSeldonError(err) && err instanceof BadDataError) throw new InternalError(err.message)
      throw err
    }
    return { data: encodeArray(array, result, options) }
  }
  if (result instanceof Uint8Array && !(result instanceof Uint8ClampedArray) && (Buffer.isBuffer(result) || result.constructor === Uint8Array)) {
    return { binData: Buffer.isBuffer(result) ? result : Buffer.from(result.buffer, result.byteOffset, result.byteLength) }
  }
  if (isTypedNumberArray(result)) {
    const array = new NDArray(result)
    return { data: encodeArray(array, array, options) }
  }
  if (isAnyMessage(result)) {
    if (options.transport === 'grpc') return { customData: result }
    throw new UnknownReturnTypeError(pyStr(result))
  }
  if (isPlainObject(result)) return { jsonData: result as JsonValue }
  throw new UnknownReturnTypeError(pyStr(result))
}

function isAnyMessage (value: unknown): value is AnyMessage {
  return isPlainObject(value) && typeof value.typeUrl === 'string' && value.value instanceof Uint8Array && Object.keys(value).length === 2
}

function encodeArray (array: NDArray, original: NDArray | unknown[], options: EncodeOptions): DefaultData {
  const numeric = array.isNumeric
  const request = options.request
  let kind: 'tensor' | 'ndarray' | 'tftensor' = 'ndarray'
  if (numeric) {
    if (request === undefined || request.kind !== 'data') kind = 'tensor'
    else if (request.dataKind === 'tensor') kind = 'tensor'
    else if (request.dataKind === 'tftensor') kind = 'tftensor'
  }
  let names: string[] = []
  if (array.ndim > 1) names = options.classNames?.() ?? defaultNames(array.shape[1] as number)
  const data: DefaultData = {}
  if (names.length > 0 || options.protoJson !== true) data.names = names
  if (kind === 'tensor') {
    data.tensor = { shape: [...array.shape] }
    // proto-JSON omits an empty repeated field
    if (array.size > 0 || options.protoJson !== true) data.tensor.values = tensorValues(array, options)
  } else if (kind === 'tftensor') {
    data.tftensor = encodeTfTensor(array)
  } else if (options.protoJson === true) {
    data.ndarray = floatNested(array.toNested()) as JsonValue[]
  } else {
    // A returned list is echoed unchanged (ints stay ints, mixed types kept), an array by dtype.
    data.ndarray = Array.isArray(original) ? original as JsonValue[] : original
  }
  return data
}

const namesCache: string[][] = []
function defaultNames (n: number): string[] {
  let names = namesCache[n]
  if (names === undefined) {
    names = Array.from({ length: n }, (_, i) => `t:${i}`)
    if (n < 256) namesCache[n] = names
  }
  return names.slice()
}

/** Tensor values keep the array's number kind: floats print as floats, ints as ints (REST). */
function tensorValues (array: NDArray, options: EncodeOptions): Float64Array | NDArray {
  if (options.transport === 'grpc' || options.protoJson === true || isFloatDType(array.dtype)) return array.toFloat64()
  return new NDArray(array.data, [array.size], array.dtype as NumericDType)
}

/** Deep copy of nested values with every number boxed as a float (proto-JSON rendering). */
export function floatNested (value: unknown): unknown {
  if (typeof value === 'number') return float(value)
  if (typeof value === 'bigint') return float(Number(value))
  if (Array.isArray(value)) return value.map(floatNested)
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      setOwnKey(out, key, floatNested(value[key]))
    }
    return out
  }
  return value
}
