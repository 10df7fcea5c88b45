/**
 * The executor's external REST API (seldon-core v1.18.2 executor/api/rest/server.go), Seldon
 * protocol, under the plugin's prefix. Each handler is read → engine → send; failures go to the
 * context's error handler (plugin.ts).
 */
import { randomUUID } from 'node:crypto'
import { ROUTE_OPERATION_KEY } from '@fastify-seldon/core'
import { MethodNotAllowedError, jsonResponseText } from '@fastify-seldon/protocol'
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import { readBody } from './body.js'
import type { CallContext, GraphEngine } from './engine.js'
import { GraphNotReadyError } from './errors.js'
import { restGraphMetadata } from './metadata.js'
import { PUID_HEADER } from './scope.js'

/** The routes, by what they do: one table for the handlers, the 405s and the CORS preflights. */
export const GRAPH_ROUTES = {
  predictions: { methods: ['POST'], urls: ['/api/v1.0/predictions', '/api/v0.1/predictions'], span: 'predictions' },
  feedback: { methods: ['POST'], urls: ['/api/v1.0/feedback', '/api/v0.1/feedback'], span: 'feedback' },
  graphMetadata: { methods: ['GET'], urls: ['/api/v1.0/metadata'], span: 'metadata' },
  nodeMetadata: { methods: ['GET'], urls: ['/api/v1.0/metadata/:model', '/api/v0.1/metadata/:model'], span: 'metadata' },
  nodeStatus: { methods: ['GET'], urls: ['/api/v1.0/status/:model', '/api/v0.1/status/:model'], span: 'status' },
  ready: { methods: ['GET'], urls: ['/ready', '/api/v1.0/status', '/api/v1.0/health/status', '/health/status'], span: 'status' },
  live: { methods: ['GET'], urls: ['/live', '/health/ping'], span: 'status' }
} as const satisfies Record<string, { methods: readonly HTTPMethods[], urls: readonly string[], span: string }>

export type GraphRoute = keyof typeof GRAPH_ROUTES

/**
 * URLs the executor does not measure in `seldon_api_executor_server_requests_seconds`: its probes
 * (`/ready`, `/live`) and ours (`/health/ping`, `/health/status`). Every other route counts under its
 * span name, which is the executor's `service` label (metric/constants.go).
 */
const UNMEASURED_URLS: ReadonlySet<string> = new Set(['/ready', '/live', '/health/ping', '/health/status'])

/** Where a route's config keeps the `service` it is measured as (absent: not measured). */
export const kApiService = Symbol('seldon.graph.apiService')

/** A finished call to the graph's API, as the executor's server histogram labels it. */
export interface GraphApiCall {
  /** `predictions`, `feedback`, `metadata` or `status`. */
  service: string
  /** The lowercase HTTP method. */
  method: string
  /** The HTTP status. */
  code: string
  seconds: number
}

export type ApiCallHook = (call: GraphApiCall) => void

/** An onResponse hook reporting each measured call to `hook` (what the executor's `wrapMetrics` observes). */
export function apiCallReporter (hook: ApiCallHook): (request: FastifyRequest, reply: FastifyReply, done: () => void) => void {
  return function reportApiCall (request, reply, done) {
    const service = (request.routeOptions.config as { [kApiService]?: string } | undefined)?.[kApiService]
    if (service !== undefined) {
      try {
        hook({ service, method: request.method.toLowerCase(), code: String(reply.statusCode), seconds: reply.elapsedTime / 1000 })
      } catch (err) {
        request.log.warn({ err }, 'onApiCall failed')
      }
    }
    done()
  }
}

const kPuid = Symbol('seldon-graph.puid')

/** The request's puid: its Seldon-Puid header, else a new UUID (set by the onRequest hook). */
export function requestPuid (request: FastifyRequest): string {
  return (request as unknown as Record<symbol, string>)[kPuid] ?? ''
}

/** Seldon-Puid read or made, echoed on the answer; `nosniff` as the executor sets it. */
export function puidHook (request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const given = request.headers[PUID_HEADER]
  const value = Array.isArray(given) ? given[0] : given
  const puid = value !== undefined && value !== '' ? value : randomUUID()
  ;(request as unknown as Record<symbol, string>)[kPuid] = puid
  reply.header(PUID_HEADER, puid)
  reply.header('x-content-type-options', 'nosniff')
  done()
}

/** The answer's text is written as is: no re-serialisation, no charset appended. */
function asIs (text: unknown): string {
  return text as string
}

/** A JSON answer rendered by the protocol's codec (the Python wrapper's bytes: sorted, compact, `\n`). */
export function sendJson (reply: FastifyReply, statusCode: number, value: unknown): FastifyReply {
  return reply.code(statusCode).header('content-type', 'application/json').serializer(asIs).send(jsonResponseText(value))
}

function context (request: FastifyRequest): CallContext {
  return { transport: 'rest', puid: requestPuid(request), headers: request.headers }
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>

function handlers (engine: GraphEngine): Record<GraphRoute, Handler> {
  return {
    predictions: async function predictions (request, reply) {
      const { message } = readBody(request)
      return sendJson(reply, 200, await engine.predict(message, context(request)))
    },
    feedback: async function feedback (request, reply) {
      const { message, text } = readBody(request)
      const result = await engine.feedback(message, context(request))
      // no node of the root sends feedback: the executor answers with the request itself
      if (result.echo) return reply.code(200).header('content-type', 'application/json').send(text)
      return sendJson(reply, 200, result.message)
    },
    graphMetadata: async function graphMetadata (request, reply) {
      return sendJson(reply, 200, restGraphMetadata(await engine.graphMetadata(context(request))))
    },
    nodeMetadata: async function nodeMetadata (request, reply) {
      const { model } = request.params as { model: string }
      return sendJson(reply, 200, await engine.nodeMetadata(model, context(request)))
    },
    nodeStatus: async function nodeStatus (request, reply) {
      const { model } = request.params as { model: string }
      return sendJson(reply, 200, await engine.nodeHealth(model, context(request)))
    },
    ready: async function ready (_request, reply) {
      const report = await engine.readiness()
      if (!report.ready) throw new GraphNotReadyError(report.notReady.map(n => `node ${n.node}: ${n.problem}`).join('; '))
      return reply.code(200).send('')
    },
    live: async function live (request, reply) {
      if (request.routeOptions.url?.endsWith('/health/ping') === true) return reply.code(200).type('text/html; charset=utf-8').send('pong')
      return reply.code(200).send('')
    }
  }
}

const EVERY_METHOD: readonly HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']

/** The routes, their 405 companions (with `Allow`) and, with CORS, their preflights. */
export function registerGraphRoutes (instance: FastifyInstance, engine: GraphEngine, options: { cors: boolean }): void {
  const handle = handlers(engine)
  for (const [name, route] of Object.entries(GRAPH_ROUTES) as Array<[GraphRoute, typeof GRAPH_ROUTES[GraphRoute]]>) {
    const allowed = new Set<HTTPMethods>(route.methods)
    if (allowed.has('GET')) allowed.add('HEAD')
    if (options.cors) allowed.add('OPTIONS')
    const allow = EVERY_METHOD.filter(m => allowed.has(m)).join(', ')
    for (const url of route.urls) {
      // the executor's span names (executor/api/rest/server.go: predictions, feedback, metadata, status)
      const config = UNMEASURED_URLS.has(url) || name === 'live'
        ? { [ROUTE_OPERATION_KEY]: route.span }
        : { [ROUTE_OPERATION_KEY]: route.span, [kApiService]: route.span }
      instance.route({ method: [...route.methods], url, handler: handle[name], config })
      if (options.cors) {
        instance.route({ method: 'OPTIONS', url, handler: async (_request, reply) => reply.code(200).header('access-control-allow-methods', allow).send('') })
      }
      instance.route({
        method: EVERY_METHOD.filter(m => !allowed.has(m)),
        url,
        handler: async function methodNotAllowed (request, reply) {
          reply.header('allow', allow)
          throw new MethodNotAllowedError(request.method, request.url.split('?')[0])
        }
      })
    }
  }
}
