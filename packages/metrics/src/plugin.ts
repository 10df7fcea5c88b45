/**
 * The `seldonMetrics` Fastify plugin: decorates the app with a SeldonMetrics object, measures
 * REST routes through fastify-metrics (into the per-app registry) and optionally exposes the
 * registry on this same app.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { fastifyPlugin } from 'fastify-plugin'
import fastifyMetrics from 'fastify-metrics'
import promClient from 'prom-client'
import type { HistogramConfiguration, Registry } from 'prom-client'
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
  interface FastifyInstance {
    /** The app's metrics: `fastify.seldonMetrics.recorder` goes to core's SeldonRuntime. */
    seldonMetrics: SeldonMetrics
  }
}

/**
 * A prom-client facade for fastify-metrics: its `register` is our registry and its `Histogram`
 * constructor hands out one shared route histogram per registry, so several apps (or a re-register)
 * reporting into one metrics object never clash on `http_request_duration_seconds`.
 */
function promClientFor (registry: Registry): typeof promClient {
  function SharedHistogram (config: HistogramConfiguration<string>): unknown {
    const existing = registry.getSingleMetric(config.name)
    if (existing instanceof promClient.Histogram) return existing
    return new promClient.Histogram({ ...config, registers: [registry] })
  }
  return { ...promClient, register: registry, Histogram: SharedHistogram as unknown as typeof promClient.Histogram }
}

/** fastify-metrics options that put REST route histograms into `metrics.registry` (internal: keeps fastify-metrics types out of our .d.ts). */
function routeMetricsOptions (metrics: SeldonMetrics): Parameters<typeof fastifyMetrics.default>[1] {
  return {
    name: 'seldonRouteMetrics',
    promClient: promClientFor(metrics.registry),
    clearRegisterOnInit: false, // would clear our own registry
    endpoint: null, // exposed by us (seldonMetrics `endpoint` or startMetricsServer)
    defaultMetrics: { enabled: false },
    routeMetrics: {
      enabled: { histogram: true, summary: false }, // summaries cannot be aggregated across workers
      registeredRoutesOnly: false, // also routes registered before this plugin; unknown URLs → route="__unknown__"
      overrides: {
        histogram: { name: METRIC_NAMES.httpDuration, buckets: [...metrics.requestBuckets], registers: [metrics.registry] },
        summary: { registers: [] }
      }
    }
  }
}

const plugin: FastifyPluginAsync<SeldonMetricsPluginOptions> = async (fastify: FastifyInstance, opts) => {
  const { metrics: given, endpoint = '/metrics', routeMetrics = true, ...metricsOptions } = opts
  const metrics = given ?? createSeldonMetrics({ ...metricsOptions, logger: metricsOptions.logger ?? fastify.log })
  fastify.decorate('seldonMetrics', metrics)
  if (routeMetrics) await fastify.register(fastifyMetrics.default, routeMetricsOptions(metrics))
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
