/**
 * Errors over gRPC with meaning. The wrapper answers every exception with UNKNOWN and (for its own
 * SeldonMicroserviceException) an empty message; we keep the REST error's information instead:
 * the gRPC code is derived from the HTTP status REST would answer, `details` is REST's `info`, and
 * the trailing metadata carries `seldon-reason` and `seldon-http-status` (COMPATIBILITY.md C-19).
 */
import { Metadata, status as Status, type StatusObject } from '@grpc/grpc-js'
import { componentErrorHandlers, findErrorHandler, type ErrorHandlerEntry } from '@fastify-seldon/core'
import { InternalError, errorStatus, isSeldonError, type ErrorStatus } from '@fastify-seldon/protocol'

export { Status }
export { grpcCodeName } from '@fastify-seldon/protocol'

/** What a custom mapping answers for an error: a gRPC code and the details text. */
export interface GrpcErrorStatus {
  code: Status
  details: string
  /** Extra trailing metadata (string values). */
  metadata?: Record<string, string>
}

/** The status a failed call is answered with (grpc-js's StatusObject, trailers included). */
export type GrpcStatusObject = Partial<StatusObject> & { code: Status, details: string, metadata: Metadata }

/**
 * Your own mapping of thrown errors to gRPC statuses, tried first; `undefined` falls through to the
 * default mapping.
 */
export type GrpcErrorMapper = (err: unknown) => GrpcErrorStatus | undefined

/**
 * The gRPC code for an HTTP status, the table in the package README (and COMPATIBILITY.md).
 * Follows google.rpc.Code's HTTP mapping where it is unambiguous.
 */
export function grpcCodeForHttp (statusCode: number): Status {
  switch (statusCode) {
    case 401: return Status.UNAUTHENTICATED
    case 403: return Status.PERMISSION_DENIED
    case 404: return Status.NOT_FOUND
    case 408: return Status.DEADLINE_EXCEEDED
    case 409: return Status.ABORTED
    case 413: return Status.RESOURCE_EXHAUSTED
    case 429: return Status.RESOURCE_EXHAUSTED
    case 499: return Status.CANCELLED
    case 501: return Status.UNIMPLEMENTED
    case 503: return Status.UNAVAILABLE
    case 504: return Status.DEADLINE_EXCEEDED
  }
  if (statusCode >= 400 && statusCode < 500) return Status.INVALID_ARGUMENT
  if (statusCode >= 500 && statusCode < 600) return Status.INTERNAL
  return Status.UNKNOWN
}

/**
 * HTTP status for a gRPC code (google.rpc.Code's mapping): how a gRPC node's failure is answered
 * over REST (a graph calling a node over gRPC).
 */
export function httpStatusForGrpc (code: number): number {
  switch (code) {
    case Status.CANCELLED: return 499
    case Status.INVALID_ARGUMENT: case Status.FAILED_PRECONDITION: case Status.OUT_OF_RANGE: return 400
    case Status.DEADLINE_EXCEEDED: return 504
    case Status.NOT_FOUND: return 404
    case Status.ALREADY_EXISTS: case Status.ABORTED: return 409
    case Status.PERMISSION_DENIED: return 403
    case Status.RESOURCE_EXHAUSTED: return 429
    case Status.UNIMPLEMENTED: return 501
    case Status.UNAVAILABLE: return 503
    case Status.UNAUTHENTICATED: return 401
    default: return 500
  }
}

function trailers (extra: Record<string, string> | undefined, seldon: ErrorStatus | undefined): Metadata {
  const metadata = new Metadata()
  if (seldon !== undefined) {
    metadata.set('seldon-reason', seldon.reason)
    metadata.set('seldon-http-status', String(seldon.statusCode))
  }
  if (extra !== undefined) for (const [k, v] of Object.entries(extra)) metadata.set(k, v)
  return metadata
}

/** An error-handler entry that may also know its gRPC status (duck-typed; see the README). */
interface GrpcAwareHandler extends ErrorHandlerEntry {
  grpcStatus?: (err: any) => GrpcErrorStatus | undefined
}

/** The component's `errorHandlers` / `model_error_handlers` entries, as REST reads them (none if malformed). */
function handlersOf (component: object | undefined): GrpcAwareHandler[] {
  if (component === undefined) return []
  try {
    return componentErrorHandlers(component)
  } catch {
    return [] // REST refuses such a component at registration; a bare gRPC server uses the default mapping
  }
}

function customStatus (custom: GrpcErrorStatus): GrpcStatusObject {
  return { code: custom.code, details: String(custom.details), metadata: trailers(custom.metadata, undefined) }
}

function seldonStatus (seldon: ErrorStatus): GrpcStatusObject {
  return { code: grpcCodeForHttp(seldon.statusCode), details: seldon.info, metadata: trailers(undefined, seldon) }
}

/**
 * An error a component's `errorHandlers` entry renders on REST: the entry's `grpcStatus(err)` when
 * it gives one, else the code of the HTTP status its `handle(err)` answers on REST (C-19), the
 * error's message as details and the usual trailers. A handler that throws is answered as REST
 * answers it: its own error, a 500 unless it is a Seldon error.
 */
async function handledStatus (entry: GrpcAwareHandler, err: unknown): Promise<GrpcStatusObject> {
  let custom: GrpcErrorStatus | undefined
  try {
    custom = typeof entry.grpcStatus === 'function' ? entry.grpcStatus(err) : undefined
  } catch {
    custom = undefined // a throwing grpcStatus() is ignored, as a throwing errorMapper is
  }
  if (custom !== undefined) return customStatus(custom)
  let statusCode: unknown
  try {
    statusCode = (await entry.handle(err)).statusCode
  } catch (handlerError) {
    return seldonStatus(errorStatus(isSeldonError(handlerError) ? handlerError : new InternalError(messageOf(handlerError))))
  }
  const status = typeof statusCode === 'number' && Number.isInteger(statusCode) && statusCode >= 100 && statusCode <= 599 ? statusCode : 500
  const own = (err as { reason?: unknown } | null)?.reason
  const reason = typeof own === 'string' ? own : status < 500 ? 'MICROSERVICE_BAD_DATA' : 'MICROSERVICE_INTERNAL_ERROR'
  return seldonStatus({ statusCode: status, reason, info: messageOf(err) })
}

function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

async function chosenStatus (err: unknown, mapper: GrpcErrorMapper | undefined, component: object | undefined): Promise<GrpcStatusObject> {
  let custom: GrpcErrorStatus | undefined
  try {
    custom = mapper?.(err)
  } catch {
    custom = undefined // a broken mapper: the mappings below
  }
  if (custom !== undefined) return customStatus(custom)
  const entry = findErrorHandler(handlersOf(component), err) as GrpcAwareHandler | undefined
  if (entry !== undefined) return await handledStatus(entry, err)
  return seldonStatus(errorStatus(err))
}

/**
 * The status object a failed call is answered with. Order: the `errorMapper` option, then the
 * component's `errorHandlers` entry for the error's class (its `grpcStatus(err)`, else the code of
 * the status its REST handler answers), then the REST mapping (`errorStatus`). A mapper or
 * `grpcStatus` that throws is ignored; a mapping grpc-js cannot send (bad metadata) is INTERNAL
 * with the reason. Never rejects.
 */
export async function grpcStatusFor (err: unknown, mapper?: GrpcErrorMapper, component?: object): Promise<GrpcStatusObject> {
  try {
    return await chosenStatus(err, mapper, component)
  } catch (mappingError) {
    return { code: Status.INTERNAL, details: messageOf(mappingError), metadata: new Metadata() }
  }
}
