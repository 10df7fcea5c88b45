/**
 * Failures as REST answers. A node's failure goes out as the node itself answered it (a remote
 * node's status and body byte for byte; an in-process node's error exactly as its own container
 * would render it: its error handlers, else the Python wrapper's envelope). The graph's own
 * failures use the executor's envelope, `{"status":{"code":<HTTP status>,"info":...,"reason":...,
 * "status":"FAILURE"}}`, with the real status as `code` (the executor always writes 500) and
 * `Content-Type: application/json` (the executor loses it): COMPATIBILITY.md E-3, E-4.
 */
import {
  InternalError, NoJsonError, PayloadTooLargeError, errorEnvelopeText, errorStatus, isSeldonError, stringifyJson,
  type ErrorStatus
} from '@fastify-seldon/protocol'
import { quoteJsonString } from '@fastify-seldon/protocol/internal'
import { componentErrorHandlers, findErrorHandler } from '@fastify-seldon/core'
import { NodeError } from './errors.js'

/** A rendered failure. */
export interface RenderedError {
  statusCode: number
  contentType: string
  body: string | Buffer
  headers?: Record<string, string>
  /** The graph's own server-side failure, or a node's (for the log level). */
  serverFault: boolean
}

/** The executor's envelope for the graph's own errors, with the right `code`. */
export function executorEnvelopeText (status: ErrorStatus): string {
  return `{"status":{"code":${status.statusCode},"info":${quoteJsonString(status.info)},"reason":${quoteJsonString(status.reason)},"status":"FAILURE"}}`
}

/** Fastify's own request errors (body too large, unreadable...) as statuses. */
function fastifyStatus (error: { code?: unknown, statusCode?: unknown, message?: string }, bodyLimit: number): ErrorStatus | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return errorStatus(new PayloadTooLargeError(bodyLimit))
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return errorStatus(new NoJsonError())
  }
  const status = error.statusCode
  if (typeof error.code === 'string' && error.code.startsWith('FST_') && typeof status === 'number' && status >= 400 && status < 500) {
    return { statusCode: status, reason: 'MICROSERVICE_BAD_DATA', info: error.message ?? '' }
  }
  return undefined
}

/** Any failure of a graph route, as its answer. */
export async function renderError (error: unknown, bodyLimit: number): Promise<RenderedError> {
  if (error instanceof NodeError) return await renderNodeError(error)
  let status: ErrorStatus | undefined
  if (!isSeldonError(error) && error !== null && typeof error === 'object') status = fastifyStatus(error, bodyLimit)
  status ??= errorStatus(error)
  return { statusCode: status.statusCode, contentType: 'application/json', body: executorEnvelopeText(status), serverFault: status.statusCode >= 500 }
}

async function renderNodeError (error: NodeError): Promise<RenderedError> {
  const serverFault = error.statusCode >= 500
  if (error.body !== undefined) {
    return { statusCode: error.statusCode, contentType: error.contentType ?? 'application/json', body: error.body, serverFault }
  }
  if (error.grpc !== undefined) {
    // what our own gRPC server sends: the REST status and reason in trailers, the info as details
    const reason = error.grpc.metadata['seldon-reason'] ?? (error.statusCode < 500 ? 'MICROSERVICE_BAD_DATA' : 'MICROSERVICE_INTERNAL_ERROR')
    const body = errorEnvelopeText({ statusCode: error.statusCode, reason, info: error.grpc.details })
    return { statusCode: error.statusCode, contentType: 'application/json', body, serverFault }
  }
  let failure = error.cause
  const handler = error.component !== undefined ? findErrorHandler(componentErrorHandlers(error.component), failure) : undefined
  if (handler !== undefined) {
    try {
      const result = await handler.handle(failure)
      return {
        statusCode: result.statusCode,
        contentType: 'application/json',
        body: `${stringifyJson(result.body ?? null)}\n`,
        ...(result.headers !== undefined ? { headers: result.headers } : {}),
        serverFault: result.statusCode >= 500
      }
    } catch (handlerError) {
      // a broken handler is the server's fault, as in the component's own plugin
      failure = isSeldonError(handlerError) ? handlerError : new InternalError((handlerError as Error)?.message ?? String(handlerError))
    }
  }
  const status = errorStatus(failure)
  return { statusCode: status.statusCode, contentType: 'application/json', body: errorEnvelopeText(status), serverFault: status.statusCode >= 500 }
}
