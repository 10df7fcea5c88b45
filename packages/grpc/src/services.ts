/**
 * The seldon.protos services as hand-written grpc-js service definitions: the method table of the
 * reference (section 3), each method's serializers being the protocol package's protobuf codec
 * (bytes ⇄ message form, no intermediate protobufjs objects). The same definitions serve clients
 * (`makeGenericClientConstructor`) and, wrapped by {@link serverDefinition}, the server.
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js'
import {
  decodeFeedback, decodeSeldonGraphMetadata, decodeSeldonMessage, decodeSeldonMessageList, decodeSeldonModelMetadata,
  decodeSeldonModelMetadataRequest, encodeFeedback, encodeSeldonGraphMetadata, encodeSeldonMessage,
  encodeSeldonMessageList, encodeSeldonModelMetadata, encodeSeldonModelMetadataRequest, isSeldonError,
  type Feedback, type SeldonGraphMetadata, type SeldonMessage, type SeldonMessageList,
  type SeldonModelMetadata, type SeldonModelMetadataRequest
} from '@fastify-seldon/protocol'

export const SELDON_PACKAGE = 'seldon.protos'

export type SeldonServiceName = 'Generic' | 'Model' | 'Router' | 'Transformer' | 'OutputTransformer' | 'Combiner' | 'Seldon'

/** The message types on the wire. */
export type WireType =
  | 'SeldonMessage' | 'SeldonMessageList' | 'Feedback' | 'Empty'
  | 'SeldonModelMetadataRequest' | 'SeldonModelMetadata' | 'SeldonGraphMetadata'

/** What each RPC does with the runtime (one dispatch per name, shared by every service). */
export type Operation =
  | 'predict' | 'transformInput' | 'transformOutput' | 'route' | 'aggregate' | 'sendFeedback'
  | 'metadata' | 'graphMetadata'

export interface RpcSpec {
  service: SeldonServiceName
  rpc: string
  request: WireType
  response: WireType
  operation: Operation
}

/** The reference's service table, in its order. */
export const SELDON_RPCS: readonly RpcSpec[] = [
  { service: 'Generic', rpc: 'TransformInput', request: 'SeldonMessage', response: 'SeldonMessage', operation: 'transformInput' },
  { service: 'Generic', rpc: 'TransformOutput', request: 'SeldonMessage', response: 'SeldonMessage', operation: 'transformOutput' },
  { service: 'Generic', rpc: 'Route', request: 'SeldonMessage', response: 'SeldonMessage', operation: 'route' },
  { service: 'Generic', rpc: 'Aggregate', request: 'SeldonMessageList', response: 'SeldonMessage', operation: 'aggregate' },
  { service: 'Generic', rpc: 'SendFeedback', request: 'Feedback', response: 'SeldonMessage', operation: 'sendFeedback' },
  { service: 'Model', rpc: 'Predict', request: 'SeldonMessage', response: 'SeldonMessage', operation: 'predict' },
  { service: 'Model', rpc: 'SendFeedback', request: 'Feedback', response: 'SeldonMessage', operation: 'sendFeedback' },
  { service: 'Model', rpc: 'Metadata', request: 'Empty', response: 'SeldonModelMetadata', operation: 'metadata' },
  { service: 'Router', rpc: 'Route', request: 'SeldonMessage', response: 'SeldonMessage', operation: 'route' },
  { service: 'Router', rpc: 'SendFeedback', request: 'Feedback', response: 'SeldonMessage', operation: 'sendFeedback' },
  { service: 'Transformer', rpc: 'TransformInput', request: 'SeldonMessage', response: 'SeldonMessage', operation: 'transformInput' },
  { service: 'OutputTransformer', rpc: 'TransformOutput', request: 'SeldonMessage', response: 'SeldonMessage', operation: 'transformOutput' },
  { service: 'Combiner', rpc: 'Aggregate', request: 'SeldonMessageList', response: 'SeldonMessage', operation: 'aggregate' },
  { service: 'Seldon', rpc: 'Predict', request: 'SeldonMessage', response: 'SeldonMessage', operation: 'predict' },
  { service: 'Seldon', rpc: 'SendFeedback', request: 'Feedback', response: 'SeldonMessage', operation: 'sendFeedback' },
  { service: 'Seldon', rpc: 'ModelMetadata', request: 'SeldonModelMetadataRequest', response: 'SeldonModelMetadata', operation: 'metadata' },
  { service: 'Seldon', rpc: 'GraphMetadata', request: 'Empty', response: 'SeldonGraphMetadata', operation: 'graphMetadata' }
]

export const SELDON_SERVICE_NAMES: readonly SeldonServiceName[] =
  ['Generic', 'Model', 'Router', 'Transformer', 'OutputTransformer', 'Combiner', 'Seldon']

/** `/seldon.protos.Model/Predict` */
export function methodPath (service: string, rpc: string): string {
  return `/${SELDON_PACKAGE}.${service}/${rpc}`
}

interface Codec<T> {
  encode: (value: T) => Uint8Array
  decode: (bytes: Uint8Array) => T
}

const EMPTY = Buffer.alloc(0)

/** Every wire type's codec; `Empty` is google.protobuf.Empty (any bytes read as `{}`). */
export const CODECS: { [K in WireType]: Codec<any> } = {
  SeldonMessage: { encode: encodeSeldonMessage, decode: decodeSeldonMessage } satisfies Codec<SeldonMessage>,
  SeldonMessageList: { encode: encodeSeldonMessageList, decode: decodeSeldonMessageList } satisfies Codec<SeldonMessageList>,
  Feedback: { encode: encodeFeedback, decode: decodeFeedback } satisfies Codec<Feedback>,
  Empty: { encode: () => EMPTY, decode: () => ({}) } satisfies Codec<Record<string, never>>,
  SeldonModelMetadataRequest: {
    encode: encodeSeldonModelMetadataRequest,
    decode: decodeSeldonModelMetadataRequest
  } satisfies Codec<SeldonModelMetadataRequest>,
  SeldonModelMetadata: { encode: encodeSeldonModelMetadata, decode: decodeSeldonModelMetadata } satisfies Codec<SeldonModelMetadata>,
  SeldonGraphMetadata: { encode: encodeSeldonGraphMetadata, decode: decodeSeldonGraphMetadata } satisfies Codec<SeldonGraphMetadata>
}

/** A Uint8Array as a Buffer over the same memory (grpc-js wants Buffers). */
export function asBuffer (bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

function methodDefinition (spec: RpcSpec): MethodDefinition<any, any> {
  const req = CODECS[spec.request]
  const res = CODECS[spec.response]
  return {
    path: methodPath(spec.service, spec.rpc),
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: unknown) => asBuffer(req.encode(value)),
    requestDeserialize: (bytes: Buffer) => req.decode(bytes),
    responseSerialize: (value: unknown) => asBuffer(res.encode(value)),
    responseDeserialize: (bytes: Buffer) => res.decode(bytes),
    originalName: spec.rpc.charAt(0).toLowerCase() + spec.rpc.slice(1)
  }
}

/** The grpc-js definitions of the seven services (usable by clients as they are). */
export const seldonServices: Readonly<Record<SeldonServiceName, ServiceDefinition>> = (() => {
  const out: Record<string, Record<string, MethodDefinition<any, any>>> = {}
  for (const spec of SELDON_RPCS) (out[spec.service] ??= {})[spec.rpc] = methodDefinition(spec)
  return out as unknown as Record<SeldonServiceName, ServiceDefinition>
})()

/**
 * A request the codec could not read. grpc-js calls the deserializer in its own code and answers
 * INTERNAL when it throws; ours never throws and hands this marker to the handler, which answers
 * INVALID_ARGUMENT with the reason.
 */
export class DecodeFailure {
  constructor (readonly wireType: WireType, readonly error: unknown) {}

  get message (): string {
    const err = this.error
    // The codec's own refusals (oneof with two members...) are already worded for the client.
    if (isSeldonError(err)) return err.message
    const text = err instanceof Error ? err.message : String(err)
    return `Invalid ${SELDON_PACKAGE}.${this.wireType} message: ${text}`
  }
}

/**
 * A method definition for the server: the deserializer never throws (see {@link DecodeFailure}),
 * and the serializer passes through bytes the handler encoded itself (so encoding errors and the
 * send-size limit are answered by the handler with a meaningful status).
 */
export function serverMethodDefinition (spec: RpcSpec): MethodDefinition<any, any> {
  const base = methodDefinition(spec)
  const decode = CODECS[spec.request].decode
  return {
    ...base,
    requestDeserialize: (bytes: Buffer) => {
      try {
        return decode(bytes)
      } catch (err) {
        return new DecodeFailure(spec.request, err)
      }
    },
    responseSerialize: (value: unknown) => value instanceof Uint8Array ? asBuffer(value) : base.responseSerialize(value)
  }
}
