/**
 * Errors over gRPC with meaning. The reference answers every exception with UNKNOWN and (for its own
 * SeldonMicroserviceException) an empty message; we keep the REST error's information instead:
 * the gRPC code is derived from the HTTP status REST would answer, `details` is REST's `info`, and
 * the trailing metadata carries `seldon-reason` and `seldon-http-status`.
 */
import { Metadata, status as Status, type StatusObject } from '@grpc/grpc-js'
import { errorStatus, type ErrorStatus } from '@fastify-seldon/protocol'

export { Status }
export { grpcCodeName } from '@fastify-seldon/protocol'

/** What a custom mapping answers for an error: a gRPC code and the details text. */
export interface GrpcErrorStatus {
  code: Status
  details: string
  /** Extra trailing metadata (string values). */
  metadata?: Record<string, string>
}

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

function trailers (extra: Record<string, string> | undefined, seldon: ErrorStatus | undefined): Metadata {
  const metadata = new Metadata()
  if (seldon !== undefined) {
    metadata.set('seldon-reason', seldon.reason)
    metadata.set('seldon-http-status', String(seldon.statusCode))
  }
  if (extra !== undefined) for (const [k, v] of Object.entries(extra)) metadata.set(k, v)
  return metadata
}

/** An error-handler entry that also knows its gRPC status (duck-typed; see the README). */
interface GrpcAwareHandler {
  error: abstract new (...args: any[]) => Error
  grpcStatus?: (err: any) => GrpcErrorStatus | undefined
}

function componentMapping (component: object | undefined, err: unknown): GrpcErrorStatus | undefined {
  if (component === undefined) return undefined
  const c = component as { errorHandlers?: unknown, model_error_handlers?: unknown }
  const entries = Array.isArray(c.errorHandlers) ? c.errorHandlers : Array.isArray(c.model_error_handlers) ? c.model_error_handlers : []
  for (const entry of entries as GrpcAwareHandler[]) {
    if (typeof entry?.error === 'function' && err instanceof entry.error && typeof entry.grpcStatus === 'function') {
      return entry.grpcStatus(err)
    }
  }
  return undefined
}

/**
 * The status object a failed call is answered with. Order: the `errorMapper` option, then a
 * matching `errorHandlers` entry's `grpcStatus(err)`, then the REST mapping (`errorStatus`).
 * A mapper that throws is ignored (the default mapping applies).
 */
export function grpcStatusFor (err: unknown, mapper?: GrpcErrorMapper, component?: object): Partial<StatusObject> & { code: Status, details: string, metadata: Metadata } {
  let custom: GrpcErrorStatus | undefined
  try {
    custom = mapper?.(err) ?? componentMapping(component, err)
  } catch {
    custom = undefined
  }
  if (custom !== undefined) {
    return { code: custom.code, details: String(custom.details), metadata: trailers(custom.metadata, undefined) }
  }
  const seldon = errorStatus(err)
  return { code: grpcCodeForHttp(seldon.statusCode), details: seldon.info, metadata: trailers(undefined, seldon) }
}
