/**
 * node:cluster support: the primary answers one scrape with the SUM over all workers.
 *
 * prom-client's AggregatorRegistry does the IPC: `clusterMetrics()` in the primary asks every
 * worker for `getMetricsAsJSON()` of its registries and aggregates per metric (its `aggregator`:
 * 'sum' for counters and histograms, the `gaugeAggregator` option, default 'max', for custom
 * gauges). By default a worker answers with prom-client's GLOBAL registry, which our per-app
 * registries are not in: `registerWorkerRegistry` makes it answer with ours.
 */
import promClient from 'prom-client'
import type { AggregatorRegistry, PrometheusContentType, Registry } from 'prom-client'
import { PROMETHEUS_CONTENT_TYPE, type MetricsSource } from './metrics.js'

const workerRegistries = new Set<Registry>()
let responder: AggregatorRegistry<PrometheusContentType> | undefined

/**
 * In a worker: answer the primary's scrapes with `registry` (in addition to any registry
 * registered before). Returns a function that removes it again. Harmless outside a worker.
 */
export function registerWorkerRegistry (registry: Registry): () => void {
  workerRegistries.add(registry)
  responder ??= new promClient.AggregatorRegistry<PrometheusContentType>() // installs the IPC listener once
  promClient.AggregatorRegistry.setRegistries([...workerRegistries])
  return () => {
    workerRegistries.delete(registry)
    promClient.AggregatorRegistry.setRegistries([...workerRegistries])
  }
}

export interface ClusterAggregator extends MetricsSource {
  /** prom-client's aggregator registry (primary side). */
  readonly registry: AggregatorRegistry<PrometheusContentType>
}

/**
 * In the primary: a scrape source summing all workers' registered registries. `metrics()`
 * rejects if a worker does not answer within prom-client's 5 s; with no worker it resolves ''.
 */
export function createClusterAggregator (): ClusterAggregator {
  const registry = new promClient.AggregatorRegistry<PrometheusContentType>()
  return {
    registry,
    contentType: PROMETHEUS_CONTENT_TYPE,
    metrics: async () => await registry.clusterMetrics()
  }
}
