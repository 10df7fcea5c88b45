/**
 * mountSeldon: what every Seldon plugin does on its own encapsulated context. It checks the
 * options, takes the component's shared runtime, scopes the body parsers and the error handler to
 * this context, adds the routes, and loads the component when the app gets ready.
 *
 * Several plugins may share one prefix (an input and an output transformer, a model and its
 * feedback routes): what belongs to the prefix rather than to an endpoint (health and metadata
 * routes, /seldon.json and /docs, the 404 handler, the CORS preflight route) is served by the first
 * of them; /seldon.json and /docs document the routes of all of them (openapi.ts).
 */
import {
  assertComponent, componentErrorHandlers, runtimeFor, sharedWeakMap, type ErrorHandlerEntry, type PayloadEndpoint, type SeldonRuntime
} from '@fastify-seldon/core'
import { connectScopeMetrics } from '@fastify-seldon/core/internal'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { registerBodyParsers } from './body.js'
import { addCorsHeadersHook, registerCors } from './cors.js'
import { buildErrorHandler, notFound, scopeErrorHandlers } from './errors.js'
import { resolveOptions, validatePluginOptions, type SeldonPluginOptions } from './options.js'
import { addDocumentationSchemas, registerDocs, registerOpenApi } from './openapi.js'
import { registerEndpointRoutes, registerHealthRoutes, registerOpenApiRoute } from './routes.js'

export interface MountOptions extends SeldonPluginOptions {
  /** The user's component (an instance of their class). */
  component: object
  /** The dispatching endpoints this plugin serves. */
  endpoints: readonly PayloadEndpoint[]
  /** CORS when the `cors` option is not given. */
  corsDefault: boolean
  /** Swagger UI at /docs when the `docs` option is not given (default false). */
  docsDefault?: boolean
}

/**
 * What the first plugin at a prefix took on, per server (so per app). Shared by every installed copy
 * of this package (core's sharedWeakMap, a Symbol.for key): two copies must not both serve health.
 */
const prefixClaims = sharedWeakMap<object, Set<string>>('rest-prefix-claims')

/** True for the first plugin at this prefix asking for `what`. */
function claim (instance: FastifyInstance, what: 'health' | 'notFound' | 'cors' | 'openapi' | 'docs'): boolean {
  const server = instance.server as object
  let claims = prefixClaims.get(server)
  if (claims === undefined) {
    claims = new Set()
    prefixClaims.set(server, claims)
  }
  const key = `${what} ${instance.prefix}`
  if (claims.has(key)) return false
  claims.add(key)
  return true
}

/** Serve `options.endpoints` of `options.component` on `instance` (an encapsulated context). */
export async function mountSeldon (instance: FastifyInstance, options: MountOptions): Promise<SeldonRuntime> {
  const { component, endpoints } = options
  assertComponent(component)
  validatePluginOptions(options)
  const resolved = resolveOptions(options, options.corsDefault, options.docsDefault)
  const runtime = runtimeFor(component, { ...resolved.runtime, log: message => { instance.log.warn(message) } })
  // the scope's seldonMetrics, unless the `metrics` option names a recorder (core's scope-metrics.ts)
  if (options.metrics === undefined) connectScopeMetrics(instance, metrics => { runtime.setMetricsRecorder(metrics.recorder) })
  // The runtime's component: the user's instance, or for inference threads the main thread's stand-in.
  const ownHandlers = componentErrorHandlers(runtime.component)

  // Tracing on: a server span per request on this context, before its routes (docs/tracing.md).
  options.tracing?.rest?.addHooks(instance)
  await registerBodyParsers(instance)
  instance.setErrorHandler<FastifyError>(buildErrorHandler((): ErrorHandlerEntry[] => [...ownHandlers, ...scopeErrorHandlers(instance)]))

  if (resolved.cors) {
    if (claim(instance, 'cors')) await registerCors(instance)
    else addCorsHeadersHook(instance)
  }
  if (resolved.notFound && claim(instance, 'notFound')) {
    try {
      instance.setNotFoundHandler(function seldonNotFound (request: FastifyRequest, _reply: FastifyReply) { notFound(request) })
    } catch (err) {
      // the host set its own 404 handler for this prefix first: keep it
      instance.log.debug({ err }, 'Seldon 404 handler not set: this prefix already has one')
    }
  }

  // The routes carry the protocol's schemas as documentation (never validated with: openapi.ts).
  // @fastify/swagger goes first: it collects the routes added after it, on this context only.
  addDocumentationSchemas(instance)
  const docGroup = resolved.openapi || resolved.docs ? await registerOpenApi(instance) : undefined

  const { cors, hostSwagger } = resolved
  registerEndpointRoutes(instance, runtime, endpoints, { passthrough: resolved.payloadPassthrough, cors, hostSwagger })
  if (resolved.health && claim(instance, 'health')) registerHealthRoutes(instance, runtime, { cors, hostSwagger })
  if (docGroup !== undefined && resolved.openapi && claim(instance, 'openapi')) registerOpenApiRoute(instance, docGroup, { cors: resolved.cors })
  if (docGroup !== undefined && resolved.docs && claim(instance, 'docs')) await registerDocs(instance, docGroup, options.docs === true)

  // Inference threads stop once the queued and running requests are done (idempotent: shared runtime).
  instance.addHook('onClose', async function closeSeldonRuntime () { await runtime.close() })

  instance.addHook('onReady', async function loadSeldonComponent () {
    if (resolved.loadInBackground) {
      // /health/status answers 503 (NotReadyError) until load() settles
      runtime.load().catch((err: unknown) => { instance.log.error({ err }, `component load() failed: ${(err as Error)?.message}`) })
      return
    }
    try {
      await runtime.load()
    } catch (err) {
      throw new Error(`component load() failed: ${(err as Error)?.message ?? String(err)}`, { cause: err })
    }
  })
  return runtime
}
