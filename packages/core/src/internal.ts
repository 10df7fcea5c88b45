/**
 * @fastify-seldon/core/internal: building blocks the sibling packages of this repository share
 * (REST and gRPC connect scope metrics; tests check validation and metadata directly). Not a
 * public API: names here may change in any release. Users and plugin authors use the main entry.
 */
export { validateCustomMetrics, validateRequestMetrics, withMethodLabel, pyJsonDumps } from './custom-metrics.js'
export { buildMetadata, modelMetadataSchema, splitImage, type MetadataInput, type MetadataResult } from './metadata.js'
export { type BatchRequest, type BatchOutcome } from './batch/batched-predict.js'
export { checkTypes } from './kit/runtime-settings.js'
export { withRouteHook } from './kit/route-hooks.js'
export { addFlaskCorsHeaders, FLASK_CORS_PREFLIGHT, type HeaderSetter } from './kit/flask-cors.js'
export { METRICS_DECORATOR, connectScopeMetrics, scopeMetrics, type MetricsScope, type ScopeMetrics } from './kit/scope-metrics.js'
