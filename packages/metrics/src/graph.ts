/**
 * The request metrics of an inference graph, the executor's two histograms (seldon-core v1.18.2
 * executor/api/metric/server.go and client.go):
 *
 * - `seldon_api_executor_server_requests_seconds`: the calls to the graph's own API (what Seldon's
 *   analytics dashboards read), `service` `predictions`, `feedback`, `metadata` or `status` with
 *   `method` the lowercase HTTP method and `code` the status for REST; the full gRPC method
 *   (`/seldon.protos.Seldon/Predict`), `unary` and the code name (`OK`) for gRPC. The probes
 *   (`/ready`, `/live`, `/health/*`), the metrics path and preflights are not measured.
 * - per node, the client histogram
 * `seldon_api_executor_client_requests_seconds` (seldon-core v1.18.2 executor/api/metric/client.go),
 * one series per node and call, the node's name as `model_name`:
 *
 *   seldon_api_executor_client_requests_seconds_bucket{deployment_name, predictor_name,
 *     predictor_version, service, model_name, model_image, model_version, method, code, le}
 *
 * `service` is the call (`/predict`, `/route`... for REST and in-process nodes, the gRPC method
 * for gRPC ones), `method` how it was made (`post`, `unary`, `in-process`), `code` the HTTP status
 * or gRPC status name. Unlike the executor, a call that got no answer (unreachable, timed out) is
 * observed too, with the status the graph answers for it (500, 504). The graph package reports
 * calls through a plain hook; this package does not depend on it.
 */
import promClient from 'prom-client'
import type { Histogram } from 'prom-client'
import type { SeldonMetrics } from './metrics.js'

export const GRAPH_NODE_METRIC = 'seldon_api_executor_client_requests_seconds'
export const GRAPH_SERVER_METRIC = 'seldon_api_executor_server_requests_seconds'

const LABELS = ['deployment_name', 'predictor_name', 'predictor_version', 'service', 'model_name', 'model_image', 'model_version', 'method', 'code'] as const

/** One finished call to a node (what `GraphEngine`'s `onNodeCall` hook reports). */
export interface GraphNodeCallReport {
  node: string
  service: string
  method: string
  code: string
  seconds: number
}

export interface GraphNodeMetricsOptions {
  /** The SeldonDeployment's name (`deployment_name`). */
  deploymentName?: string | undefined
  /** The predictor's name (`predictor_name`). */
  predictorName?: string | undefined
  /** `predictor_version` (the executor reads the predictor's `version` annotation). */
  predictorVersion?: string | undefined
  /** Each node's image (`model_image:model_version`), as componentSpecs gives it. */
  images?: ReadonlyMap<string, string> | Readonly<Record<string, string>> | undefined
}

const SERVER_LABELS = ['deployment_name', 'predictor_name', 'predictor_version', 'service', 'method', 'code'] as const

/** One finished call to the graph's API (REST: `seldonGraph`'s `onApiCall`; gRPC: the `Seldon` service). */
export interface GraphApiCallReport {
  /** `predictions`, `feedback`, `metadata`, `status`; for gRPC the full method. */
  service: string
  /** The lowercase HTTP method; `unary` for gRPC. */
  method: string
  /** The HTTP status; the gRPC code name. */
  code: string
  seconds: number
}

/** The histogram `name` of `metrics`'s registry, made on first use (a second observer shares it). */
function sharedHistogram<L extends string> (metrics: SeldonMetrics, name: string, help: string, labelNames: readonly L[]): Histogram<L> {
  const existing = metrics.registry.getSingleMetric(name)
  if (existing instanceof promClient.Histogram) return existing as Histogram<L>
  return new promClient.Histogram({ name, help, labelNames: [...labelNames], buckets: [...metrics.requestBuckets], registers: [metrics.registry] })
}

/**
 * Observes each call to the graph's API into `metrics`'s registry as the executor's server
 * histogram (summed across cluster workers like every histogram). Never throws.
 */
export function graphServerObserver (metrics: SeldonMetrics, options: GraphNodeMetricsOptions = {}): (call: GraphApiCallReport) => void {
  const fixed = fixedLabels(options)
  let histogram: Histogram<typeof SERVER_LABELS[number]> | undefined
  return function observeGraphApiCall (call: GraphApiCallReport): void {
    try {
      histogram ??= sharedHistogram(metrics, GRAPH_SERVER_METRIC, 'Calls to the graph, in seconds, by API (service), method and status code', SERVER_LABELS)
      histogram.observe({ ...fixed, service: call.service, method: call.method, code: call.code }, call.seconds)
    } catch {
      // metrics never fail a request
    }
  }
}

function fixedLabels (options: GraphNodeMetricsOptions): Record<'deployment_name' | 'predictor_name' | 'predictor_version', string> {
  return {
    deployment_name: options.deploymentName ?? '',
    predictor_name: options.predictorName ?? '',
    predictor_version: options.predictorVersion ?? ''
  }
}

/** `image:tag` → [image, tag] (no tag: an empty version), a registry port kept in the image. */
function splitImage (image: string | undefined): [string, string] {
  if (image === undefined || image === '') return ['', '']
  const colon = image.lastIndexOf(':')
  return colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, '']
}

/**
 * The hook for `new GraphEngine(graph, { onNodeCall })`: observes each call into `metrics`'s
 * registry (summed across cluster workers like every histogram). Never throws.
 */
export function graphNodeObserver (metrics: SeldonMetrics, options: GraphNodeMetricsOptions = {}): (call: GraphNodeCallReport) => void {
  const images = options.images instanceof Map ? options.images : new Map(Object.entries(options.images ?? {}))
  const fixed = fixedLabels(options)
  let histogram: Histogram<typeof LABELS[number]> | undefined
  return function observeGraphNodeCall (call: GraphNodeCallReport): void {
    try {
      histogram ??= sharedHistogram(metrics, GRAPH_NODE_METRIC, 'Calls from the graph to its nodes, in seconds, by node (model_name), call (service), method and status code', LABELS)
      const [image, version] = splitImage(images.get(call.node))
      histogram.observe({ ...fixed, service: call.service, model_name: call.node, model_image: image, model_version: version, method: call.method, code: call.code }, call.seconds)
    } catch {
      // metrics never fail a request
    }
  }
}
