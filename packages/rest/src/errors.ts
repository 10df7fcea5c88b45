/**
 * Every failure of a Seldon route is rendered here, in one place (the wrapper's envelope, seldon-core v1.18.2 python/seldon_core/flask_utils.py; deviations in COMPATIBILITY.md):
 *
 *   1. the user's own error handlers (the component's `errorHandlers` / `model_error_handlers`,
 *      then those registered with @fastify-seldon/errors), matched with instanceof, the most
 *      specific class first, the first registered among equals; they choose status and body;
 *   2. a SeldonError → its status and the envelope `{"status":{"code":-1,"info",...,"status":1}}`;
 *   3. Fastify's own request errors (body too large, bad media type, validation...) → 4xx envelopes;
 *   4. anything else → 500 MICROSERVICE_INTERNAL_ERROR with the error's message (never a stack).
 *
 * The handler is set on the component's encapsulated context only: the host's routes keep theirs.
 * 404 and 405 are answered with the envelope too (the wrapper turns both into 500s).
 */
import {
  BadDataError, InternalError, MethodNotAllowedError, NoJsonError, NotFoundError, NotReadyError, PayloadTooLargeError,
  errorEnvelopeText, errorStatus, isSeldonError, jsonResponseText, type ErrorStatus
} from '@fastify-seldon/protocol'
import { ERROR_HANDLERS_DECORATOR, findErrorHandler, type ErrorHandlerEntry } from '@fastify-seldon/core'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { sendJsonText } from './reply.js'

/** The handlers registered with @fastify-seldon/errors visible from this scope. */
export function scopeErrorHandlers (instance: FastifyInstance): readonly ErrorHandlerEntry[] {
  const list = (instance as unknown as Record<string, unknown>)[ERROR_HANDLERS_DECORATOR]
  return Array.isArray(list) ? list as ErrorHandlerEntry[] : []
}

/** Fastify's and @fastify/multipart's request errors, as envelope statuses. */
function fastifyErrorStatus (error: FastifyError, request: FastifyRequest): ErrorStatus | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return errorStatus(new PayloadTooLargeError(request.routeOptions.bodyLimit))
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorStatus(new NoJsonError())
    case 'FST_ERR_VALIDATION':
      return errorStatus(new BadDataError(error.message))
    case 'FST_INVALID_JSON_FIELD_ERROR':
      // @fastify/multipart's 406 for a part declared application/json that does not parse (or
      // carries __proto__): a malformed JSON part is a 400 like every other one (C-06)
      return errorStatus(new BadDataError(`Invalid JSON in a multipart part: ${error.message}`))
    case 'ECONNRESET':
      // The client closed the connection before its whole body was read (Node's "aborted"): its
      // doing, nobody is left to read an answer, and it is no server error (log, 5xx metrics).
      if (request.raw.destroyed) return errorStatus(new BadDataError('Request aborted: the client closed the connection before sending its whole body'))
      break
  }
  const status = error.statusCode
  if (typeof error.code === 'string' && error.code.startsWith('FST_') && typeof status === 'number' && status >= 400 && status < 500) {
    return { statusCode: status, reason: 'MICROSERVICE_BAD_DATA', info: error.message }
  }
  return undefined
}

/** The status, reason and info for anything thrown on a Seldon route (steps 2 to 4 above). */
export function restErrorStatus (error: unknown, request: FastifyRequest): ErrorStatus {
  if (isSeldonError(error)) return errorStatus(error)
  if (error !== null && typeof error === 'object') {
    const status = fastifyErrorStatus(error as FastifyError, request)
    if (status !== undefined) return status
  }
  return errorStatus(error)
}

function log (request: FastifyRequest, error: unknown, status: ErrorStatus): void {
  if (status.statusCode >= 500 && !(error instanceof NotReadyError)) {
    request.log.error({ err: error }, `${status.reason}: ${status.info}`)
  } else if (status.statusCode >= 500) {
    request.log.warn(`${status.reason}: ${status.info}`)
  } else {
    request.log.info(`${status.reason}: ${status.info}`)
  }
}

/**
 * The scoped error handler of a component's context. `handlers()` gives the user entries at
 * request time (the component's own, then the scope's).
 */
export function buildErrorHandler (handlers: () => readonly ErrorHandlerEntry[]) {
  return async function seldonErrorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    let failure: unknown = error
    const entry = findErrorHandler(handlers(), error)
    if (entry !== undefined) {
      try {
        const result = await entry.handle(error)
        request.log.info({ err: error }, `${error.name} rendered by a custom error handler`)
        reply.code(result.statusCode).type('application/json')
        if (result.headers !== undefined) reply.headers(result.headers)
        return reply.send(Buffer.from(jsonResponseText(result.body), 'utf8'))
      } catch (handlerError) {
        // A broken handler is the server's fault: answer its error as a 500 below.
        failure = isSeldonError(handlerError) ? handlerError : new InternalError((handlerError as Error)?.message ?? String(handlerError))
      }
    }
    const status = restErrorStatus(failure, request)
    log(request, failure, status)
    return sendJsonText(reply, status.statusCode, errorEnvelopeText(status))
  }
}

/** The path of a request without its query string, for 404/405 texts. */
function pathOf (request: FastifyRequest): string {
  const url = request.url
  const q = url.indexOf('?')
  return q < 0 ? url : url.slice(0, q)
}

/** Unknown path under the component's prefix: 404 with the envelope. */
export function notFound (request: FastifyRequest): never {
  throw new NotFoundError(request.method, pathOf(request))
}

/** A route answering the methods a Seldon path does not serve: 405 with the envelope and `Allow`. */
export function methodNotAllowed (allow: string) {
  return function seldonMethodNotAllowed (request: FastifyRequest, reply: FastifyReply): never {
    reply.header('allow', allow)
    throw new MethodNotAllowedError(request.method, pathOf(request))
  }
}
