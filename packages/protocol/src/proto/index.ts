/**
 * Protobuf codec for seldon.protos (prediction.proto): wire bytes <-> the message form (types.ts).
 *
 * Hand-written for every seldon.protos message and for google.protobuf.Value/ListValue/Struct/Any
 * (the hot path: protobufjs 8 is slow on nested ListValue, and writing them by hand gives exact
 * control of field order, default omission and oneof checks); protobufjs reflection, loaded
 * lazily from the .proto files, for tensorflow.TensorProto and for gRPC server reflection.
 *
 * Decoded messages follow Python's MessageToDict (defaults absent, enums by name) with typed
 * stand-ins: Tensor.values is a Float64Array (a view over the input when aligned), bytes are
 * Buffers (views), Any is `{ typeUrl, value }`, and Value numbers sit in float-marked containers.
 * Encoders accept every variant of the message form and return a Buffer.
 */
import type { Feedback, RequestResponse, SeldonGraphMetadata, SeldonMessage, SeldonMessageList, SeldonModelMetadata, SeldonModelMetadataRequest } from '../types.js'
import {
  type DecodeContext, type DecodeOptions, decodeContext, decodeFeedbackAt, decodeRequestResponseAt, decodeSeldonMessageAt,
  decodeSeldonMessageListAt
} from './decode.js'
import { decodeSeldonGraphMetadataAt, decodeSeldonModelMetadataAt, decodeSeldonModelMetadataRequestAt } from './decode-metadata.js'
import {
  sizeFeedback, sizeRequestResponse, sizeSeldonMessage, sizeSeldonMessageList, writeFeedback, writeRequestResponse,
  writeSeldonMessage, writeSeldonMessageList
} from './encode.js'
import {
  sizeSeldonGraphMetadata, sizeSeldonModelMetadata, sizeSeldonModelMetadataRequest, writeSeldonGraphMetadata,
  writeSeldonModelMetadata, writeSeldonModelMetadataRequest
} from './encode-metadata.js'
import { type Plan, Reader, Writer, newPlan } from './wire.js'

export type { DecodeOptions } from './decode.js'
export { PROTO_ROOT_DIR, loadSeldonRoot } from './root.js'
export { feedbackFromJson, messageFromJson, messageListFromJson } from './from-json.js'

function decodeWith<T> (buf: Uint8Array, decode: (r: Reader, end: number, ctx: DecodeContext) => T, options?: DecodeOptions): T {
  const r = new Reader(buf)
  return decode(r, r.len, decodeContext(options))
}

function encodeWith<T> (msg: T, size: (m: T, plan: Plan, path: string) => number, write: (m: T, w: Writer) => void, name: string): Buffer {
  const plan = newPlan()
  const w = new Writer(size(msg, plan, name), plan)
  write(msg, w)
  return w.finish()
}

export function decodeSeldonMessage (buf: Uint8Array, options?: DecodeOptions): SeldonMessage {
  return decodeWith(buf, decodeSeldonMessageAt, options)
}

/** Refuses (BadDataError) a message that sets two members of a oneof, or values of the wrong type. */
export function encodeSeldonMessage (msg: SeldonMessage): Buffer {
  return encodeWith(msg, sizeSeldonMessage, writeSeldonMessage, 'SeldonMessage')
}

export function decodeSeldonMessageList (buf: Uint8Array, options?: DecodeOptions): SeldonMessageList {
  return decodeWith(buf, decodeSeldonMessageListAt, options)
}

export function encodeSeldonMessageList (msg: SeldonMessageList): Buffer {
  return encodeWith(msg, sizeSeldonMessageList, writeSeldonMessageList, 'SeldonMessageList')
}

export function decodeFeedback (buf: Uint8Array, options?: DecodeOptions): Feedback {
  return decodeWith(buf, decodeFeedbackAt, options)
}

export function encodeFeedback (msg: Feedback): Buffer {
  return encodeWith(msg, sizeFeedback, writeFeedback, 'Feedback')
}

export function decodeRequestResponse (buf: Uint8Array, options?: DecodeOptions): RequestResponse {
  return decodeWith(buf, decodeRequestResponseAt, options)
}

export function encodeRequestResponse (msg: RequestResponse): Buffer {
  return encodeWith(msg, sizeRequestResponse, writeRequestResponse, 'RequestResponse')
}

export function decodeSeldonModelMetadataRequest (buf: Uint8Array): SeldonModelMetadataRequest {
  return decodeWith(buf, decodeSeldonModelMetadataRequestAt)
}

export function encodeSeldonModelMetadataRequest (msg: SeldonModelMetadataRequest): Buffer {
  return encodeWith(msg, sizeSeldonModelMetadataRequest, writeSeldonModelMetadataRequest, 'SeldonModelMetadataRequest')
}

/** `shape` entries (int64) accept numbers, decimal strings and bigints. */
export function encodeSeldonModelMetadata (msg: SeldonModelMetadata): Buffer {
  return encodeWith(msg, sizeSeldonModelMetadata, writeSeldonModelMetadata, 'SeldonModelMetadata')
}

/** `shape` entries (int64) come out as numbers (bigint beyond 2^53). */
export function decodeSeldonModelMetadata (buf: Uint8Array): SeldonModelMetadata {
  return decodeWith(buf, decodeSeldonModelMetadataAt)
}

export function encodeSeldonGraphMetadata (msg: SeldonGraphMetadata): Buffer {
  return encodeWith(msg, sizeSeldonGraphMetadata, writeSeldonGraphMetadata, 'SeldonGraphMetadata')
}

export function decodeSeldonGraphMetadata (buf: Uint8Array): SeldonGraphMetadata {
  return decodeWith(buf, decodeSeldonGraphMetadataAt)
}
