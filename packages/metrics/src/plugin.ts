/**
 * The `seldonMetrics` Fastify plugin: decorates the app with a SeldonMetrics object, measures
 * REST routes (into the per-app registry) and optionally exposes the
 * registry on this same app.
 */
import { performance } from 'node:perf_hooks'
import { withRouteHook } from '@fastify-seldon/core/internal'
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest, onRequestHookHandler } from 'fastify'
import { fastifyPlugin } from 'fastify-plugin'
import promClient from 'prom-client'
import { BufferedHistogram } from './buffered-histogram.js'
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

/** A request's start time before the `onRequest` hook ran, and after it was counted. */
const NOT_STARTED = 0
const COUNTED = -1

/**
 * `http_request_duration_seconds{method,route,status_code}` for every route of the app (routes
 * registered before this plugin too; a URL matching no route is `route="__unknown__"`; HEAD,
 * OPTIONS, TRACE, CONNECT and routes with `config.disableMetrics` are not measured), the series
 * fastify-metrics 13 made for us: from the request's arrival (`onRequest`) to its answer being
 * handed to the socket (`onSend`), as the Python wrapper's Flask exporter measures from
 * `before_request` to `after_request`. One histogram per registry, shared by every app reporting
 * into it.
 *
 * Why not an `onResponse` hook: any app with one has Fastify add and remove a `finish` and an
 * `error` listener on every response (Fastify 5.12, lib/route.js), 3.7 µs of a worker's CPU per
 * small predict (BENCHMARKS.md, "Issue 18, item 1: a worker's fixed costs").
 * Why not fastify-metrics any more: per request it started a timer (a closure and an hrtime read)
 * kept in a WeakMap keyed by the request (an ephemeron that every major GC must walk) and built a
 * label object in a second hook (BENCHMARKS.md, "Issue 18, items 3 and 4").
 */
function registerRouteHistogram (fastify: FastifyInstance, metrics: SeldonMetrics): void {
  const series = new RouteSeries(routeHistogramOf(metrics))
  // Its own keys per registration: two of these plugins on one app each keep their own time.
  const kStarted = Symbol('seldon.metrics.started')
  const kRoute = Symbol('seldon.metrics.route')
  type Timed = FastifyRequest & { [kStarted]: number, [kRoute]: RouteTable | null }
  fastify.decorateRequest(kStarted, NOT_STARTED)
  fastify.decorateRequest(kRoute, null)
  fastify.addHook('onRequest', (request, _reply, done) => {
    (request as Timed)[kStarted] = performance.now()
    done()
  })
  // Each measured route registered from now on names its table itself, in a hook of its own
  // decided once: reading `request.routeOptions` (a getter building a dozen-field object) for the
  // label cost ~0.4 µs of a worker's ~33 µs per small predict, at the edge of the noise
  // (BENCHMARKS.md, "Issue 18, item 1: the per-request checks"). Routes registered before the
  // plugin, 404s and unmeasured routes are found from the request when answered.
  fastify.addHook('onRoute', route => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (route.config?.disableMetrics === true || methods.every(method => UNMEASURED_METHODS.has(method))) return
    const table = series.table(route.config?.statsId ?? route.url)
    const nameRoute: onRequestHookHandler = (request, _reply, done) => { (request as Timed)[kRoute] = table; done() }
    route.onRequest = withRouteHook(route.onRequest, nameRoute)
  })
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const started = (request as Timed)[kStarted]
    const table = (request as Timed)[kRoute] ?? tableOf(request)
    if (started === COUNTED || table === null || UNMEASURED_METHODS.has(request.method) || !request.raw.url) { done(null, payload); return }
    // An answer sent twice (an onSend hook failing, then the error's answer) is counted once.
    (request as Timed)[kStarted] = COUNTED
    // Answered by an onRequest hook that ran before ours (a plugin registered earlier): Fastify's
    // own clock, which runs when the app has a logger (0 otherwise).
    const ms = started === NOT_STARTED ? reply.elapsedTime : performance.now() - started
    table.of(request.method, reply.statusCode).add(ms / 1000)
    done(null, payload)
  })
  /** The table of a request whose route did not name one; null when its route is not measured. */
  const tableOf = (request: FastifyRequest): RouteTable | null => {
    const options = request.routeOptions
    if (options.config.disableMetrics === true) return null
    return series.table(options.config.statsId ?? options.url ?? UNKNOWN_ROUTE)
  }
}

type RouteLabel = 'method' | 'route' | 'status_code'

/** One observation sink per label set. */
interface Series { add: (seconds: number) => void }
/** Where each label set's sink comes from. */
interface SeriesSource { series: (labels: promClient.LabelValues<RouteLabel>) => Series }

/**
 * The registry's route histogram, shared by every app reporting into it: ours, or one registered
 * under that name by something else (fed directly, unbatched).
 */
function routeHistogramOf (metrics: SeldonMetrics): SeriesSource {
  const existing = metrics.registry.getSingleMetric(METRIC_NAMES.httpDuration)
  if (existing instanceof BufferedHistogram) return existing as BufferedHistogram<RouteLabel>
  if (existing instanceof promClient.Histogram) {
    const foreign = existing as promClient.Histogram<RouteLabel>
    return { series: labels => ({ add: seconds => { foreign.observe(labels, seconds) } }) }
  }
  return new BufferedHistogram<RouteLabel>({
    name: METRIC_NAMES.httpDuration,
    help: 'request duration in seconds',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [...metrics.requestBuckets],
    registers: [metrics.registry]
  })
}

/** The series of each (route, method, status code): a table per route, found once per route. */
class RouteSeries {
  private readonly byRoute = new Map<string, RouteTable>()

  constructor (private readonly histogram: SeriesSource) {}

  table (route: string): RouteTable {
    let table = this.byRoute.get(route)
    if (table === undefined) this.byRoute.set(route, table = new RouteTable(this.histogram, route))
    return table
  }
}

/** One route's series by method and status code: two map lookups, no string built per request. */
class RouteTable {
  private readonly byMethod = new Map<string, Map<number, Series>>()

  constructor (private readonly histogram: SeriesSource, private readonly route: string) {}

  of (method: string, statusCode: number): Series {
    let byStatus = this.byMethod.get(method)
    if (byStatus === undefined) this.byMethod.set(method, byStatus = new Map())
    let series = byStatus.get(statusCode)
    if (series === undefined) byStatus.set(statusCode, series = this.histogram.series({ method, route: this.route, status_code: statusCode }))
    return series
  }
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
