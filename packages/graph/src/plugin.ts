/**
 * The Fastify plugin: the executor's external REST API for a graph, under the register prefix.
 *
 *   app.register(seldonGraph, { graph, components, prefix: '/seldon' })
 *
 * On its own encapsulated context it scopes the body parsers, the error handler and the Seldon 404
 * (the host's routes keep theirs), loads every in-process component when the app gets ready, and
 * closes the connections to remote nodes when the app closes.
 */
import fp from 'fastify-plugin'
import { NotFoundError } from '@fastify-seldon/protocol'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { registerBodyParsers } from './body.js'
import { GraphEngine, rejectEnvOption, type GraphEngineOptions } from './engine.js'
import { GraphOptionError } from './errors.js'
import type { GraphInput } from './model.js'
import { renderError } from './render.js'
import { apiCallReporter, puidHook, registerGraphRoutes, type ApiCallHook } from './routes.js'

export interface SeldonGraphOptions extends GraphEngineOptions {
  /** The graph: a PredictiveUnit, a PredictorSpec, a SeldonDeployment, or loadGraph()'s result. */
  graph?: GraphInput
  /** Or a ready-made engine (shared with another front end); the plugin then does not close it. */
  engine?: GraphEngine
  /** Listen at once and load in-process components in the background (readiness 503 meanwhile). */
  loadInBackground?: boolean
  /**
   * CORS as the executor does it (default false: a host app owns its CORS policy): every answer
   * gets `Access-Control-Allow-Origin` ({@link corsAllowedOrigins}) and
   * `Access-Control-Allow-Headers` ({@link corsAllowedHeaders}), and OPTIONS answers 200.
   */
  cors?: boolean
  /**
   * With `cors`: the `Access-Control-Allow-Origin` value (default `*`). The executor's
   * CORS_ALLOWED_ORIGINS, which the CLI maps onto this option; the plugin reads no environment.
   */
  corsAllowedOrigins?: string
  /**
   * With `cors`: the `Access-Control-Allow-Headers` value (default `Accept, Accept-Encoding,
   * Authorization, Content-Length, Content-Type, X-CSRF-Token`). The executor's CORS_ALLOWED_HEADERS,
   * mapped onto this option by the CLI.
   */
  corsAllowedHeaders?: string
  /** Answer unknown paths under the prefix with the envelope (default true). */
  notFound?: boolean
  /**
   * Called after each answered call to the graph's API but the probes, labelled as the executor's
   * `seldon_api_executor_server_requests_seconds` (`graphServerObserver` of @fastify-seldon/metrics
   * records it so).
   */
  onApiCall?: ApiCallHook
}

const DEFAULT_CORS_HEADERS = 'Accept, Accept-Encoding, Authorization, Content-Length, Content-Type, X-CSRF-Token'

function checkBoolean (opts: SeldonGraphOptions, key: 'loadInBackground' | 'cors' | 'notFound'): boolean | undefined {
  const value = opts[key]
  if (value !== undefined && typeof value !== 'boolean') throw new GraphOptionError(`option ${key} must be a boolean`)
  return value
}

/** A non-empty string, or undefined (the default applies). */
function checkText (opts: SeldonGraphOptions, key: 'corsAllowedOrigins' | 'corsAllowedHeaders'): string | undefined {
  const value = opts[key]
  if (value !== undefined && (typeof value !== 'string' || value === '')) throw new GraphOptionError(`option ${key} must be a non-empty string`)
  return value
}

async function seldonGraphPlugin (instance: FastifyInstance, opts: SeldonGraphOptions): Promise<void> {
  if (opts.engine !== undefined && !(opts.engine instanceof GraphEngine)) throw new GraphOptionError('option engine must be a GraphEngine')
  if (opts.engine === undefined && opts.graph === undefined) throw new GraphOptionError('@fastify-seldon/graph needs option graph (or engine)')
  rejectEnvOption(opts)
  const loadInBackground = checkBoolean(opts, 'loadInBackground') ?? false
  const cors = checkBoolean(opts, 'cors') ?? false
  const notFound = checkBoolean(opts, 'notFound') ?? true
  const corsOrigin = checkText(opts, 'corsAllowedOrigins') ?? '*'
  const corsHeaders = checkText(opts, 'corsAllowedHeaders') ?? DEFAULT_CORS_HEADERS
  const owned = opts.engine === undefined
  const engine = opts.engine ?? new GraphEngine(opts.graph as GraphInput, { log: message => { instance.log.warn(message) }, ...opts })
  const bodyLimit = instance.initialConfig.bodyLimit ?? 1048576
  if (opts.onApiCall !== undefined && typeof opts.onApiCall !== 'function') throw new GraphOptionError('option onApiCall must be a function')

  // Tracing on: a server span per request on this context, before its routes (docs/tracing.md).
  // (an engine made here got the hooks too; one given is the caller's to set: engine.setTracing)
  opts.tracing?.rest?.addHooks(instance)
  registerBodyParsers(instance)
  instance.addHook('onRequest', puidHook)
  if (cors) {
    instance.addHook('onRequest', function executorCors (_request, reply, done) {
      reply.header('access-control-allow-origin', corsOrigin)
      reply.header('access-control-allow-headers', corsHeaders)
      done()
    })
  }
  instance.setErrorHandler(async function seldonGraphErrorHandler (error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    const rendered = await renderError(error, bodyLimit)
    if (rendered.serverFault) request.log.error({ err: error }, error.message)
    else request.log.info({ err: error }, error.message)
    if (rendered.headers !== undefined) reply.headers(rendered.headers)
    // a Buffer: Fastify would append a charset to a string's content type
    const body = typeof rendered.body === 'string' ? Buffer.from(rendered.body, 'utf8') : rendered.body
    return reply.code(rendered.statusCode).header('content-type', rendered.contentType).send(body)
  })
  if (notFound) {
    try {
      instance.setNotFoundHandler(function seldonGraphNotFound (request: FastifyRequest) {
        throw new NotFoundError(request.method, request.url.split('?')[0])
      })
    } catch (err) {
      // the host set a 404 handler for this prefix first: keep it
      instance.log.debug({ err }, 'Seldon graph 404 handler not set: this prefix already has one')
    }
  }
  if (opts.onApiCall !== undefined) instance.addHook('onResponse', apiCallReporter(opts.onApiCall))
  registerGraphRoutes(instance, engine, { cors })

  instance.addHook('onReady', async function loadGraphComponents () {
    if (loadInBackground) {
      engine.load().catch((err: unknown) => { instance.log.error({ err }, (err as Error)?.message) })
      return
    }
    await engine.load()
  })
  if (owned) instance.addHook('onClose', async function closeGraphConnections () { await engine.close() })
}

/** `app.register(seldonGraph, { graph, components })`: the executor's REST API for the graph. */
export const seldonGraph = fp(seldonGraphPlugin, { fastify: '5.x', name: '@fastify-seldon/graph', encapsulate: true })
export default seldonGraph
