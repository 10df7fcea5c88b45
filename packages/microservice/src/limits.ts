/**
 * Per-request limits of a worker's HTTP server that Node leaves silent (RELIABILITY.md, limits table):
 *
 *   - header fields: Node keeps the first 1000 or so and drops the rest without a word (a late
 *     `Content-Type` vanished and the request became "Can't find JSON in data"); past
 *     `MAX_HEADER_FIELDS` the request is answered 431 with the envelope instead;
 */
import { errorEnvelopeText } from '@fastify-seldon/protocol'
import type { FastifyInstance } from 'fastify'

/**
 * Header fields a request may carry. 100 is Envoy's default `max_headers_count` (the proxy of
 * Istio and Seldon Core's ingress), so no request that passed such a proxy is refused here.
 */
export const MAX_HEADER_FIELDS = 100

const HEADER_FIELDS_BODY = errorEnvelopeText({
  statusCode: 431, reason: 'MICROSERVICE_BAD_DATA', info: `Request Header Fields Too Large: more than ${MAX_HEADER_FIELDS} header fields`
})

/** 431 + envelope for a request with more than MAX_HEADER_FIELDS header fields. */
export function limitHeaderFields (app: FastifyInstance): void {
  // Node stores at most maxHeadersCount fields: one more than allowed tells us there were more.
  app.server.maxHeadersCount = MAX_HEADER_FIELDS + 1
  app.addHook('onRequest', function headerFields (request, reply, done) {
    if (request.raw.rawHeaders.length > 2 * MAX_HEADER_FIELDS) {
      request.log.info(`more than ${MAX_HEADER_FIELDS} header fields: 431`)
      reply.code(431).header('connection', 'close').header('content-type', 'application/json').send(HEADER_FIELDS_BODY)
    }
    done()
  })
}
