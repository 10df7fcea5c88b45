/**
 * Errors of the Seldon protocol: one coded class per error the Python wrapper answers with
 * (seldon-core v1.18.2 `python/seldon_core/flask_utils.py` SeldonMicroserviceException and the
 * messages raised in `seldon_methods.py` / `utils.py`; table in docs/wire-format.md, "Errors"),
 * each carrying the HTTP status and the Seldon `reason`, and one renderer to the REST envelope
 * `{"status":{"code":-1,"info":...,"reason":...,"status":1}}`. gRPC maps the same errors to a
 * status code in its own package (COMPATIBILITY.md C-19).
 */
import createError from '@fastify/error'
import { quoteJsonString } from './json-string.js'

export type SeldonReason =
  | 'MICROSERVICE_BAD_DATA'
  | 'MICROSERVICE_BAD_METRIC'
  | 'MICROSERVICE_BAD_METADATA'
  | 'MICROSERVICE_BAD_PARAMETER'
  | 'MICROSERVICE_INTERNAL_ERROR'
  | (string & {})

/** Base of every coded Seldon error; `reason` is the envelope's reason, `statusCode` the HTTP status. */
export class SeldonError extends Error {
  declare code: string
  declare statusCode: number
  declare reason: SeldonReason
}

/** A coded error class: `new X(...args)` (or `X(...args)`) gives a SeldonError. */
export interface SeldonErrorCtor {
  new (...args: unknown[]): SeldonError
  (...args: unknown[]): SeldonError
  readonly prototype: SeldonError
}

/**
 * A coded SeldonError class with its HTTP status and Seldon `reason`: the errors below, and those
 * of the sibling packages that add their own (graph).
 */
export function defineSeldonError (code: string, message: string, statusCode: number, reason: SeldonReason): SeldonErrorCtor {
  // @fastify/error builds the class; SeldonError as its base gives instanceof SeldonError.
  const Ctor = createError(code, message, statusCode, SeldonError as unknown as ErrorConstructor) as unknown as SeldonErrorCtor
  Object.defineProperty(Ctor.prototype, 'reason', { value: reason, writable: true, enumerable: false, configurable: true })
  return Ctor
}

const BAD_DATA = 'MICROSERVICE_BAD_DATA'

/** A client's malformed or unusable data (400); the message names what is wrong. */
export const BadDataError = defineSeldonError('SELDON_ERR_BAD_DATA', '%s', 400, BAD_DATA)
/** No JSON could be read from the request (the Python wrapper's exact text). */
export const NoJsonError = defineSeldonError('SELDON_ERR_NO_JSON', "Can't find JSON in data", 400, BAD_DATA)
/** PAYLOAD_PASSTHROUGH with no body. */
export const NoDataError = defineSeldonError('SELDON_ERR_NO_DATA', "Can't find data", 400, BAD_DATA)
/** Request neither of the accepted shapes; the argument is the Python repr of the request. */
export const InvalidRequestDataTypeError = defineSeldonError('SELDON_ERR_INVALID_REQUEST_DATA_TYPE', 'Invalid request data type: %s', 400, BAD_DATA)
/** Feedback JSON that does not parse as the Feedback proto. */
export const InvalidFeedbackError = defineSeldonError('SELDON_ERR_INVALID_FEEDBACK', 'Invalid JSON: %s', 400, BAD_DATA)
/** A user method returned a scalar, null, ...; the argument is Python's str() of the value. */
export const UnknownReturnTypeError = defineSeldonError('SELDON_ERR_UNKNOWN_RETURN_TYPE', 'Unknown data type returned as payload (must be list or np array):%s', 400, BAD_DATA)
export const BadRoutingError = defineSeldonError('SELDON_ERR_BAD_ROUTING', 'Routing response must be int but got %s', 400, BAD_DATA)
export const RouteNotDefinedError = defineSeldonError('SELDON_ERR_ROUTE_NOT_DEFINED', 'Route not defined', 400, BAD_DATA)
export const AggregateNotDefinedError = defineSeldonError('SELDON_ERR_AGGREGATE_NOT_DEFINED', 'Aggregate not defined', 400, BAD_DATA)
export const BadMetricError = defineSeldonError('SELDON_ERR_BAD_METRIC', 'Bad metric created during request: %s', 500, 'MICROSERVICE_BAD_METRIC')
export const BadMetadataError = defineSeldonError('SELDON_ERR_BAD_METADATA', 'Model metadata unavailable', 500, 'MICROSERVICE_BAD_METADATA')
export const BadParameterError = defineSeldonError('SELDON_ERR_BAD_PARAMETER', '%s', 500, 'MICROSERVICE_BAD_PARAMETER')
/** Anything unexpected: a user bug, a thrown non-Seldon error (info is its message). */
export const InternalError = defineSeldonError('SELDON_ERR_INTERNAL', '%s', 500, 'MICROSERVICE_INTERNAL_ERROR')
/** Not in the Python wrapper (it answers 500 for these): an unknown path and a wrong method (COMPATIBILITY.md C-01, C-02). */
export const NotFoundError = defineSeldonError('SELDON_ERR_NOT_FOUND', 'Not Found: %s %s', 404, BAD_DATA)
export const MethodNotAllowedError = defineSeldonError('SELDON_ERR_METHOD_NOT_ALLOWED', 'Method Not Allowed: %s %s', 405, BAD_DATA)
export const PayloadTooLargeError = defineSeldonError('SELDON_ERR_PAYLOAD_TOO_LARGE', 'Request body is larger than %s bytes', 413, BAD_DATA)
/** `load()` has not finished: the component is not ready to serve. */
export const NotReadyError = defineSeldonError('SELDON_ERR_NOT_READY', 'Model not ready: %s', 503, 'MICROSERVICE_NOT_READY')
export const OverloadedError = defineSeldonError('SELDON_ERR_OVERLOADED', 'Service Unavailable: server under pressure', 503, 'MICROSERVICE_OVERLOADED')
export const TimeoutError = defineSeldonError('SELDON_ERR_TIMEOUT', 'Request timed out after %s ms', 504, 'MICROSERVICE_TIMEOUT')

/** Shorthand for the most common error: `throw badData('data.tensor.shape must be ...')`. */
export function badData (message: string): SeldonError {
  return new BadDataError(message)
}

/**
 * The user-facing analogue of Python's `SeldonMicroserviceException`: throw it from a component
 * to answer with a chosen HTTP status and reason in the Seldon envelope.
 */
export class SeldonMicroserviceError extends SeldonError {
  constructor (message: string, options: { statusCode?: number, reason?: SeldonReason } = {}) {
    super(message)
    this.name = 'SeldonMicroserviceError'
    this.code = 'SELDON_ERR_MICROSERVICE'
    this.statusCode = options.statusCode ?? 400
    this.reason = options.reason ?? BAD_DATA
  }
}

export function isSeldonError (err: unknown): err is SeldonError {
  return err instanceof SeldonError
}

export interface ErrorStatus {
  statusCode: number
  reason: string
  info: string
}

/** The status, reason and info for any thrown value; unknown errors become 500 INTERNAL. */
export function errorStatus (err: unknown): ErrorStatus {
  if (err instanceof SeldonError) {
    return { statusCode: err.statusCode, reason: err.reason, info: err.message }
  }
  const info = err instanceof Error ? err.message : String(err)
  return { statusCode: 500, reason: 'MICROSERVICE_INTERNAL_ERROR', info }
}

/** The envelope object (keys in the sorted order the Python wrapper writes). */
export function errorEnvelope (status: ErrorStatus): { status: { code: -1, info: string, reason: string, status: 1 } } {
  return { status: { code: -1, info: status.info, reason: status.reason, status: 1 } }
}

/**
 * The envelope as the Python wrapper writes it: sorted keys, compact, trailing newline, strings escaped
 * as Python's ensure_ascii does (JSON.stringify would leave non-ASCII and DEL raw).
 */
export function errorEnvelopeText (status: ErrorStatus): string {
  return `{"status":{"code":-1,"info":${quoteJsonString(status.info)},"reason":${quoteJsonString(status.reason)},"status":1}}\n`
}
