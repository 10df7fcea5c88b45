/**
 * The seldon.protos services as hand-written grpc-js service definitions: the methods of core's
 * endpoint table (seldon-core v1.18.2 proto/prediction.proto), each method's serializers being the
 * protocol package's protobuf codec (bytes ⇄ message form, no intermediate protobufjs objects).
 * The same definitions serve clients (`makeGenericClientConstructor`) and, wrapped by
 * {@link serverMethodDefinition}, the server.
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js'
import {
  ENDPOINTS, type Endpoint, type GrpcEndpoint, type GrpcMethod, type SeldonServiceName, type WireType
} from '@fastify-seldon/core'
import {
  decodeFeedback, decodeSeldonGraphMetadata, decodeSeldonMessage, decodeSeldonMessageList, decodeSeldonModelMetadata,
  decodeSeldonModelMetadataRequest, encodeFeedback, encodeSeldonGraphMetadata, encodeSeldonMessage,
  encodeSeldonMessageList, encodeSeldonModelMetadata, encodeSeldonModelMetadataRequest, isSeldonError,
  type Feedback, type SeldonGraphMetadata, type SeldonMessage, type SeldonMessageList,
  type SeldonModelMetadata, type SeldonModelMetadataRequest
} from '@fastify-seldon/protocol'

export type { SeldonServiceName, WireType } from '@fastify-seldon/core'

export const SELDON_PACKAGE = 'seldon.protos'

/** The endpoints served over gRPC: core's endpoint table says which (re-exported for the graph). */
export type { GrpcEndpoint }

/** One RPC: a gRPC method of the endpoint table with the endpoint it serves. */
export interface RpcSpec extends GrpcMethod {
  endpoint: GrpcEndpoint
}

export const SELDON_SERVICE_NAMES: readonly SeldonServiceName[] =
  ['Generic', 'Model', 'Router', 'Transformer', 'OutputTransformer', 'Combiner', 'Seldon']

/**
 * Every RPC, service by service in the order above, and within a service in the table's order
 * (prediction.proto's order).
 */
export const SELDON_RPCS: readonly RpcSpec[] = SELDON_SERVICE_NAMES.flatMap(service =>
  (Object.entries(ENDPOINTS) as Array<[Endpoint, (typeof ENDPOINTS)[Endpoint]]>).flatMap(([endpoint, spec]) =>
    spec.grpc.filter(method => method.service === service).map(method => ({ ...method, endpoint: endpoint as GrpcEndpoint }))))

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
 * A SeldonMessage whose `data.ndarray` holds only numbers in a rectangle comes out with it as one
 * float64 NDArray (any other ndarray as nested arrays). On the 100×1000 ndarray of bench/ the
 * nested arrays (a JS array per row, float-marked, then copied into the NDArray by decodePayload)
 * made the garbage collector 45 % of the gRPC server's time: BENCHMARKS.md, "Fixes made".
 */
function decodeNumericNdarray (bytes: Uint8Array): SeldonMessage {
  return decodeSeldonMessage(bytes, { ndarrayAs: 'ndarray' })
}

/**
 * A method definition for the server: the deserializer never throws (see {@link DecodeFailure}),
 * and the serializer passes through bytes the handler encoded itself (so encoding errors and the
 * send-size limit are answered by the handler with a meaningful status). `decodedArrays`: the
 * backend takes a numeric `data.ndarray` as an NDArray (see {@link decodeNumericNdarray}).
 */
export function serverMethodDefinition (spec: RpcSpec, options: { decodedArrays?: boolean } = {}): MethodDefinition<any, any> {
  const base = methodDefinition(spec)
  const decode = options.decodedArrays === true && spec.request === 'SeldonMessage'
    ? decodeNumericNdarray
    : CODECS[spec.request].decode
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
