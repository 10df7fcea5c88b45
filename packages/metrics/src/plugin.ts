/**
 * The `seldonMetrics` Fastify plugin: decorates the app with a SeldonMetrics object, measures
 * REST routes (into the per-app registry) and optionally exposes the
 * registry on this same app.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { fastifyPlugin } from 'fastify-plugin'
import promClient from 'prom-client'
import { createSeldonMetrics, METRIC_NAMES, type SeldonMetrics, type SeldonMetricsOptions } from './metrics.js'
import { sendMetrics } from './server.js'

export interface SeldonMetricsPluginOptions extends SeldonMetricsOptions {
  /** Use this metrics object (e.g. one shared with a separate metrics server) instead of creating one. */
  metrics?: SeldonMetrics | undefined
  /** Path of the scrape endpoint on this app; `false` to not expose. Default `/metrics`. */
  endpoint?: string | false | undefined
  /** Measure every route (`http_request_duration_seconds{method,route,status_code}`). Default true. */
  routeMetrics?: boolean | undefined
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Leave this route out of `http_request_duration_seconds` (as fastify-metrics' option of that name). */
    disableMetrics?: boolean
    /** The `route` label of this route's requests instead of its URL pattern. */
    statsId?: string
  }
  interface FastifyInstance {
    /** The app's metrics: `fastify.seldonMetrics.recorder` goes to core's SeldonRuntime. */
    seldonMetrics: SeldonMetrics
  }
}

/** Methods fastify-metrics (13) left unmeasured by default; we keep its behaviour. */
const UNMEASURED_METHODS: ReadonlySet<string> = new Set(['HEAD', 'OPTIONS', 'TRACE', 'CONNECT'])

/** The label a request matching no route gets (fastify-metrics' `invalidRouteGroup` default). */
const UNKNOWN_ROUTE = '__unknown__'

/**
 * `http_request_duration_seconds{method,route,status_code}` for every route of the app (routes
 * registered before this plugin too; a URL matching no route is `route="__unknown__"`; HEAD,
 * OPTIONS, TRACE, CONNECT and routes with `config.disableMetrics` are not measured), the series
 * fastify-metrics 13 made for us, by one `onResponse` hook reading Fastify's own
 * `reply.elapsedTime`. One histogram per registry, shared by every app reporting into it.
 *
 * Why not fastify-metrics any more: per request it started a timer (a closure and an hrtime
 * read) kept in a WeakMap keyed by the request (an ephemeron that every major GC must walk)
 * and built a label object in a second hook. Measured with `bench/cli-overhead.mjs` (the CLI's
 * app served the small predict by inject, CPU per request): see BENCHMARKS.md, "Issue 18, items
 * 3 and 4" (the CLI path).
 */
function registerRouteHistogram (fastify: FastifyInstance, metrics: SeldonMetrics): void {
  const registry = metrics.registry
  const existing = registry.getSingleMetric(METRIC_NAMES.httpDuration)
  const histogram = existing instanceof promClient.Histogram
    ? existing as promClient.Histogram<'method' | 'route' | 'status_code'>
    : new promClient.Histogram({
      name: METRIC_NAMES.httpDuration,
      help: 'request duration in seconds',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [...metrics.requestBuckets],
      registers: [registry]
    })
  fastify.addHook('onResponse', (request, reply, done) => {
    const options = request.routeOptions
    if (UNMEASURED_METHODS.has(request.method) || options.config.disableMetrics === true || !request.raw.url) { done(); return }
    const route = options.config.statsId ?? options.url ?? UNKNOWN_ROUTE
    histogram.observe({ method: request.method, route, status_code: reply.statusCode }, reply.elapsedTime / 1000)
    done()
  })
}

const plugin: FastifyPluginAsync<SeldonMetricsPluginOptions> = async (fastify: FastifyInstance, opts) => {
  const { metrics: given, endpoint = '/metrics', routeMetrics = true, ...metricsOptions } = opts
  const metrics = given ?? createSeldonMetrics({ ...metricsOptions, logger: metricsOptions.logger ?? fastify.log })
  fastify.decorate('seldonMetrics', metrics)
  if (routeMetrics) registerRouteHistogram(fastify, metrics)
  if (endpoint !== false) {
    fastify.get(endpoint, { config: { disableMetrics: true }, logLevel: 'warn' }, async (_request, reply) => {
      await sendMetrics(metrics, reply)
    })
  }
}

/**
 * `await app.register(seldonMetrics, { deployment: deploymentLabelsFromEnv() })`: the Seldon
 * component plugins of this scope and below find `fastify.seldonMetrics` by themselves (core's
 * `connectScopeMetrics`; best registered first, registered later they connect on ready). Every
 * route of the app is measured, including routes registered before it.
 */
export const seldonMetrics = fastifyPlugin(plugin, { fastify: '5.x', name: '@fastify-seldon/metrics' })
