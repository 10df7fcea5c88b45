/**
 * The plugin kit: what every Seldon plugin (REST, gRPC, the kind plugins, the errors plugin, the
 * CLI) shares and none of them owns. Transport-free: nothing here imports Fastify or grpc-js.
 */
export { InvalidComponentError, InvalidOptionError } from './errors.js'
export { sharedWeakMap } from './registry.js'
export { runtimeFor } from './runtime-registry.js'
export { checkTypes, runtimeOptionsFrom, validateRuntimeSettings, type RuntimeSettings } from './runtime-settings.js'
export { envBool, optionsFromEnv, runtimeOptionsFromEnv, type SeldonEnvOptions } from './env.js'
export {
  ERROR_HANDLERS_DECORATOR, componentErrorHandlers, findErrorHandler, validateErrorHandlers
} from './error-handlers.js'
export { assertComponent, requireMethod } from './component-checks.js'
export { METRICS_DECORATOR, connectScopeMetrics, scopeMetrics, type MetricsScope, type ScopeMetrics } from './scope-metrics.js'
