/**
 * The message form: one in-memory shape for every seldon.protos message, shared by the JSON
 * codec (REST) and the protobuf codec (gRPC). It is the proto3 JSON mapping (camelCase field
 * names, enums by name) with a few typed stand-ins where plain JSON would lose speed or numbers:
 *
 *   - numeric lists may be typed arrays (`Tensor.values` decoded from protobuf is a Float64Array);
 *   - `DefaultData.ndarray` may be an {@link NDArray} on the way out (serialised without
 *     building nested JS arrays);
 *   - `bytes` fields are base64 strings when they come from JSON and Uint8Array/Buffer when
 *     they come from protobuf; both codecs accept both;
 *   - integers beyond 2^53 parsed from JSON are bigint, never rounded;
 *   - a {@link JsonFloat} box marks a number that must print as a float (`1.0`), see marks.ts.
 */
import type { NDArray } from './ndarray.js'
import type { JsonFloat } from './marks.js'

/** A JSON value as the codecs hand it over (proto3 `google.protobuf.Value` over gRPC). */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | JsonFloat
  | JsonValue[]
  | { [key: string]: JsonValue }

export type JsonObject = { [key: string]: JsonValue }

/** A flat numeric buffer as accepted by the codecs wherever the proto has `repeated double`. */
export type NumericList = number[] | Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | BigInt64Array | BigUint64Array

export type MetricType = 'COUNTER' | 'GAUGE' | 'TIMER'

export interface Metric {
  key: string
  /** Absent means COUNTER (the proto3 enum default), as in proto-JSON. */
  type?: MetricType
  /** Absent means 0 (the proto3 default), as in proto-JSON. */
  value?: number | JsonFloat
  tags?: Record<string, string>
}

export interface Meta {
  puid?: string
  tags?: Record<string, JsonValue>
  routing?: Record<string, number>
  requestPath?: Record<string, string>
  metrics?: Metric[]
}

export type StatusFlag = 'SUCCESS' | 'FAILURE'

export interface Status {
  code?: number
  info?: string
  reason?: string
  /** REST errors carry the integer 1 (the Python wrapper's quirk); proto-JSON uses the enum name. */
  status?: StatusFlag | number
}

export interface Tensor {
  shape?: number[]
  /** An NDArray appears only on the way out (REST), to print int dtypes as ints. */
  values?: NumericList | NDArray
}

/** tensorflow.TensorShapeProto */
export interface TensorShapeProto {
  dim?: Array<{ size?: string | number | bigint; name?: string }>
  unknownRank?: boolean
}

/** tensorflow.TensorProto, the subset Seldon's `tftensor` uses (proto-JSON names). */
export interface TensorProto {
  dtype?: string
  tensorShape?: TensorShapeProto
  versionNumber?: number
  tensorContent?: string | Uint8Array
  halfVal?: number[]
  floatVal?: NumericList
  doubleVal?: NumericList
  intVal?: NumericList
  stringVal?: Array<string | Uint8Array>
  scomplexVal?: number[]
  int64Val?: Array<string | number | bigint>
  boolVal?: boolean[]
  dcomplexVal?: number[]
  uint32Val?: number[]
  uint64Val?: Array<string | number | bigint>
}

export interface DefaultData {
  names?: string[]
  tensor?: Tensor
  /** Nested JSON arrays (in) or an NDArray / nested arrays (out). */
  ndarray?: JsonValue[] | NDArray
  tftensor?: TensorProto
}

/** google.protobuf.Any */
export interface AnyMessage {
  typeUrl: string
  value: Uint8Array
}

export interface SeldonMessage {
  status?: Status
  meta?: Meta
  data?: DefaultData
  binData?: string | Uint8Array
  strData?: string
  jsonData?: JsonValue
  customData?: AnyMessage | JsonObject
}

export interface SeldonMessageList {
  seldonMessages: SeldonMessage[]
}

export interface Feedback {
  request?: SeldonMessage
  response?: SeldonMessage
  reward?: number
  truth?: SeldonMessage
}

export interface RequestResponse {
  request?: SeldonMessage
  response?: SeldonMessage
}

export interface SeldonModelMetadataRequest {
  name?: string
}

export interface SeldonMessageMetadata {
  messagetype?: string
  schema?: JsonValue
  name?: string
  datatype?: string
  shape?: Array<number | string | bigint>
}

export interface SeldonModelMetadata {
  name?: string
  versions?: string[]
  platform?: string
  inputs?: SeldonMessageMetadata[]
  outputs?: SeldonMessageMetadata[]
  custom?: Record<string, string>
}

export interface SeldonGraphMetadata {
  name?: string
  models?: Record<string, SeldonModelMetadata>
  inputs?: SeldonMessageMetadata[]
  outputs?: SeldonMessageMetadata[]
}

/** Which member of SeldonMessage's `data_oneof` a message carries. */
export type PayloadKind = 'data' | 'binData' | 'strData' | 'jsonData' | 'customData'

/** Which member of DefaultData's `data_oneof`; `none` is a `data` object with no inner case. */
export type DataKind = 'tensor' | 'ndarray' | 'tftensor' | 'none'

/** Which transport a message arrived on; a few of the Python wrapper's rules differ by transport (meta `{}` vs undefined...). */
export type Transport = 'rest' | 'grpc'
