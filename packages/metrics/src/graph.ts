/**
 * Per-node request metrics of an inference graph: the executor's client histogram
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
  const fixed = {
    deployment_name: options.deploymentName ?? '',
    predictor_name: options.predictorName ?? '',
    predictor_version: options.predictorVersion ?? ''
  }
  let histogram: Histogram<typeof LABELS[number]> | undefined
  return function observeGraphNodeCall (call: GraphNodeCallReport): void {
    try {
      const existing = metrics.registry.getSingleMetric(GRAPH_NODE_METRIC)
      histogram ??= existing instanceof promClient.Histogram
        ? existing as Histogram<typeof LABELS[number]>
        : new promClient.Histogram({
          name: GRAPH_NODE_METRIC,
          help: 'Calls from the graph to its nodes, in seconds, by node (model_name), call (service), method and status code',
          labelNames: [...LABELS],
          buckets: [...metrics.requestBuckets],
          registers: [metrics.registry]
        })
      const [image, version] = splitImage(images.get(call.node))
      histogram.observe({ ...fixed, service: call.service, model_name: call.node, model_image: image, model_version: version, method: call.method, code: call.code }, call.seconds)
    } catch {
      // metrics never fail a request
    }
  }
}
