/**
 * @fastify-seldon/protocol: the public surface, named one by one.
 *
 * Public (here): what someone who installed the package uses — the message types, NDArray and
 * float(), the JSON and protobuf codecs, payload decoding/encoding with the Python wrapper's type
 * mirroring, the meta merge, the error classes and envelope, and the JSON Schemas. These names
 * are the package's API: they change only with a major version.
 *
 * Internal (`@fastify-seldon/protocol/internal`, src/internal.ts): helpers the sibling packages
 * (core, rest, grpc, metrics, graph) share so that each concept has one home — Python repr/str
 * and float formatting for error texts, float marks, the JSON quoting function, proto-JSON
 * rendering of results. Not for users; they may change in any release.
 *
 * Not exported at all: the codec internals (parser state, wire Reader/Writer, size plans).
 */

// Message form: every seldon.protos message as a plain object (public: what user methods
// receive and return, and what raw methods read and write).
export type {
  AnyMessage, DataKind, DefaultData, Feedback, JsonObject, JsonValue, Meta, Metric, MetricType, NumericList, PayloadKind,
  RequestResponse, SeldonGraphMetadata, SeldonMessage, SeldonMessageList, SeldonMessageMetadata, SeldonModelMetadata,
  SeldonModelMetadataRequest, Status, StatusFlag, Tensor, TensorProto, TensorShapeProto, Transport
} from './types.js'

// Numbers: float() is how a user prints `3.0` (COMPATIBILITY.md C-13); JsonFloat is its box,
// which user code may meet in parsed values (public).
export { JsonFloat, float } from './marks.js'

// Arrays: NDArray is what a user method gets for `data` (public), with its dtype helpers.
export {
  NDArray, dtypeOfTypedArray, isFloatDType, isNumericDType, isTypedNumberArray,
  type DType, type FlatData, type NumericDType, type TypedNumberArray
} from './ndarray.js'

// JSON codec (public): Python's json.loads / jsonify, byte for byte.
export { MAX_JSON_DEPTH, isJsonSyntaxError, parseJson, type JsonSyntaxError } from './json-parse.js'
export { jsonResponseText, stringifyJson, type StringifyOptions } from './json-stringify.js'

// Payloads (public): the wrapper's decoding of a request for a user method and encoding of the
// result with type mirroring, usable without core (a custom transport, a test harness); the
// tftensor conversions for raw methods that meet a TensorProto.
export {
  decodePayload, decodeTfTensor, encodeResult, encodeTfTensor, type DecodedPayload, type EncodeOptions
} from './payload.js'

// Meta merge (public): the wrapper's rule for the answer's meta, as a pure function.
export { mergeMeta, type MetaMergeInput } from './meta.js'

// Errors (public): components throw them, error handlers and clients read them.
export {
  AggregateNotDefinedError, BadDataError, BadMetadataError, BadMetricError, BadParameterError, BadRoutingError,
  InternalError, InvalidFeedbackError, InvalidRequestDataTypeError, MethodNotAllowedError, NoDataError, NoJsonError,
  NotFoundError, NotReadyError, OverloadedError, PayloadTooLargeError, RouteNotDefinedError, SeldonError,
  SeldonMicroserviceError, TimeoutError, UnknownReturnTypeError, badData, errorEnvelope, errorEnvelopeText, errorStatus,
  isSeldonError, type ErrorStatus, type SeldonErrorCtor, type SeldonReason
} from './errors.js'

// JSON Schemas of the REST messages (public: a host app may validate or document with them).
export {
  feedbackSchema, schemaErrorInfo, seldonErrorEnvelopeSchema, seldonMessageListSchema, seldonMessageSchema,
  type SchemaError
} from './schemas.js'

// Protobuf codec and proto3-JSON parsing (public: any seldon.protos client or server), and the
// .proto files shipped with the package (gRPC clients load them; the grpc package serves them
// for reflection).
export {
  PROTO_ROOT_DIR, decodeFeedback, decodeRequestResponse, decodeSeldonGraphMetadata, decodeSeldonMessage,
  decodeSeldonMessageList, decodeSeldonModelMetadata, decodeSeldonModelMetadataRequest, encodeFeedback,
  encodeRequestResponse, encodeSeldonGraphMetadata, encodeSeldonMessage, encodeSeldonMessageList,
  encodeSeldonModelMetadata, encodeSeldonModelMetadataRequest, feedbackFromJson, loadSeldonRoot, messageFromJson,
  messageListFromJson, type DecodeOptions
} from './proto/index.js'

// gRPC status codes by name (public): the canonical name (`3` → `INVALID_ARGUMENT`) the grpc
// package reports and the label spelling (`InvalidArgument`) the metrics package uses, for a
// host app that logs or maps statuses the same way.
export { grpcCodeLabel, grpcCodeName } from './grpc-codes.js'
