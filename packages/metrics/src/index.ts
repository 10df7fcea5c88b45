export { SELDON_TIMER_BUCKETS, DEFAULT_REQUEST_BUCKETS } from './buckets.js'
export {
  NOT_IMPLEMENTED, DEPLOYMENT_LABEL_NAMES, splitImage, deploymentLabelsFromEnv, resolveDeploymentLabels,
  type DeploymentLabels, type DeploymentLabelName
} from './labels.js'
export {
  createSeldonMetrics, DEFAULT_MAX_SERIES_PER_METRIC, PROMETHEUS_CONTENT_TYPE, METRIC_NAMES,
  type SeldonMetrics, type SeldonMetricsOptions, type MetricsSource, type MetricsLogger, type MetricsErrorReason
} from './metrics.js'
export { seldonMetrics, type SeldonMetricsPluginOptions } from './plugin.js'
export {
  startMetricsServer, metricsServerConfigFromEnv, sendMetrics, DEFAULT_METRICS_PORT, DEFAULT_METRICS_ENDPOINT,
  type StartMetricsServerOptions, type MetricsServer
} from './server.js'
export { createClusterAggregator, registerWorkerRegistry, type ClusterAggregator } from './cluster.js'
export {
  GRAPH_NODE_METRIC, GRAPH_SERVER_METRIC, graphNodeObserver, graphServerObserver, type GraphApiCallReport, type GraphNodeCallReport,
  type GraphNodeMetricsOptions
} from './graph.js'
