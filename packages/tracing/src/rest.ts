/**
 * REST server spans, with Fastify hooks (no monkey-patching: works the same under ESM):
 *
 *   onRequest   start the SERVER span: parent from the headers (every configured propagator),
 *               name from the route's config (the wrapper's view name), HTTP attributes;
 *   preHandler  run the handler with the span active (body parsing happens between the two and
 *               loses the async context, so the handler needs its own `context.with`);
 *   onError     keep the error for the span;
 *   onResponse  status code, ERROR for >= 500 (with the exception), end;
 *   onRequestAbort  end (the client went away first).
 *
 * When a span is already active as the request arrives, the host app traces HTTP itself
 * (@fastify/otel, instrumentation-http): its span is the server span and ours is not made.
 */
import {
  context, propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer
} from '@opentelemetry/api'
import type { FastifyRequest } from 'fastify'
import { ROUTE_OPERATION_KEY, type AnyFastifyInstance, type RestTracing } from './contract.js'
import type { ExtraTagGetter } from './extra-tags.js'

interface RequestTrace {
  span: Span
  context: Context
  error: unknown
  ended: boolean
}

const kTrace = Symbol('seldon tracing request')

type TracedRequest = FastifyRequest & { [kTrace]: RequestTrace | null }

/** The span name: the route's Seldon operation, else OpenTelemetry's `{method} {route}`. */
function spanName (request: FastifyRequest): string {
  const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined
  const operation = config?.[ROUTE_OPERATION_KEY]
  if (typeof operation === 'string') return operation
  const route = request.routeOptions.url
  return route !== undefined ? `${request.method} ${route}` : request.method
}

function requestAttributes (request: FastifyRequest): Attributes {
  const q = request.url.indexOf('?')
  const attributes: Attributes = {
    'url.path': q === -1 ? request.url : request.url.slice(0, q),
    'url.scheme': request.protocol,
    'client.address': request.ip
  }
  const host = request.hostname
  if (host !== '') attributes['server.address'] = host
  const port = request.port
  if (typeof port === 'number' && Number.isInteger(port)) attributes['server.port'] = port
  const agent = request.headers['user-agent']
  if (agent !== undefined) attributes['user_agent.original'] = agent
  return attributes
}

function endSpan (state: RequestTrace, statusCode: number | undefined): void {
  if (state.ended) return
  state.ended = true
  const { span, error } = state
  if (statusCode !== undefined) {
    span.setAttribute('http.response.status_code', statusCode)
    if (statusCode >= 500) {
      if (error instanceof Error) span.recordException(error)
      span.setAttribute('error.type', error instanceof Error ? error.name : String(statusCode))
      span.setStatus({ code: SpanStatusCode.ERROR, ...(error instanceof Error ? { message: error.message } : {}) })
    }
  }
  span.end()
}

export function restTracing (tracer: Tracer, extraTags: ReadonlyArray<[string, ExtraTagGetter]>): RestTracing {
  return {
    addHooks (instance: AnyFastifyInstance): void {
      if (!instance.hasRequestDecorator(kTrace)) instance.decorateRequest(kTrace, null)

      instance.addHook('onRequest', function seldonTraceRequest (request, _reply, done) {
        const traced = request as TracedRequest
        if (traced[kTrace] !== null) { done(); return }
        const active = context.active()
        if (trace.getSpan(active) !== undefined) { done(); return }
        const parent = propagation.extract(active, request.headers)
        const name = spanName(request)
        const route = request.routeOptions.url
        const span = tracer.startSpan(name, {
          kind: SpanKind.SERVER,
          attributes: route !== undefined
            ? { 'http.request.method': request.method, 'http.route': route }
            : { 'http.request.method': request.method }
        }, parent)
        if (span.isRecording()) {
          span.setAttributes(requestAttributes(request))
          for (const [key, get] of extraTags) {
            const value = get(request, name)
            if (value !== undefined && value !== '') span.setAttribute(key, value)
          }
        }
        const ctx = trace.setSpan(parent, span)
        traced[kTrace] = { span, context: ctx, error: undefined, ended: false }
        context.with(ctx, done)
      })

      instance.addHook('preHandler', function seldonTraceHandler (request, _reply, done) {
        const state = (request as TracedRequest)[kTrace]
        if (state === null) { done(); return }
        context.with(state.context, done)
      })

      instance.addHook('onError', function seldonTraceError (request, _reply, error, done) {
        const state = (request as TracedRequest)[kTrace]
        if (state !== null) state.error = error
        done()
      })

      instance.addHook('onResponse', function seldonTraceResponse (request, reply, done) {
        const state = (request as TracedRequest)[kTrace]
        if (state !== null) endSpan(state, reply.statusCode)
        done()
      })

      instance.addHook('onRequestAbort', function seldonTraceAbort (request, done) {
        const state = (request as TracedRequest)[kTrace]
        if (state !== null) {
          state.span.setAttribute('error.type', 'request_aborted')
          endSpan(state, undefined)
        }
        done()
      })
    }
  }
}
