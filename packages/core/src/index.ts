/**
 * @fastify-seldon/core: the public surface, named one by one. Users write components against the
 * component API; plugin authors (and this repository's REST, gRPC, metrics, tracing, graph and
 * kind packages) build on the runtime, the endpoint table, the tracing contract and the plugin kit.
 * Building blocks the sibling packages share but nobody else should (scope metrics, metric
 * validation, metadata building) are on `@fastify-seldon/core/internal`.
 */

// The component API: what a user's class implements, returns and throws.
export {
  NotImplementedError, SeldonResponse,
  type Payload, type Features, type Prediction, type ErrorHandlerEntry, type ClassNames,
  type ComponentCommon, type FeedbackMethods, type SeldonComponent,
  type ModelComponent, type TransformerComponent, type OutputTransformerComponent, type RouterComponent, type CombinerComponent,
  type Model, type RawModel, type Router, type RawRouter, type Combiner, type RawCombiner,
  type InputTransformer, type RawInputTransformer, type OutputTransformer, type RawOutputTransformer,
  type ModelLike, type RouterLike, type CombinerLike, type InputTransformerLike, type OutputTransformerLike
} from './component.js'
export { isComponentModule, type ComponentModule } from './pool/module-ref.js'
export { DEFAULT_MAX_BATCH_TIME_MS, type BatchingOptions } from './batch/batcher.js'

// The runtime: one dispatch path behind every transport (docs/dispatch.md).
export { SeldonRuntime, type RuntimeOptions, type DispatchOptions } from './runtime.js'
export { type Answer } from './response.js'
export { type BatchInfo } from './batch/batched-predict.js'
export { PooledRuntime } from './pool/pooled-runtime.js'
export { implementsEndpoint, resolveMethods, type MethodTable } from './methods.js'

// The endpoint table: every endpoint's methods, REST paths, gRPC methods and metric label.
export {
  ENDPOINTS, GRPC_ENDPOINTS, PAYLOAD_ENDPOINTS, SERVICE_TYPES, METHOD_SPELLINGS, PYTHON_METHOD_NAMES,
  endpointSpellings, requiredEndpoints,
  type Endpoint, type PayloadEndpoint, type GrpcEndpoint, type EndpointSpec, type MethodSlot, type MethodLabel,
  type ServiceType, type RestPath, type GrpcMethod, type SeldonServiceName, type WireType
} from './endpoints.js'

// Custom metrics: what a metrics backend implements, and the Prometheus name rules.
export { isPrometheusMetricName, isPrometheusLabelName, type MetricsRecorder } from './custom-metrics.js'

// The tracing contract (implemented by @fastify-seldon/tracing, docs/tracing.md).
export {
  ROUTE_OPERATION_KEY, REST_OPERATION_NAMES, OPENAPI_VIEW, isTracingHooks, injectTraceContext,
  type RestTracing, type GrpcCallLike, type GrpcStatusLike, type GrpcUnaryHandler, type GrpcTracing,
  type InstrumentUserMethod, type MethodTracing, type HeaderCarrier, type SettableCarrier, type TracingHooks
} from './tracing-contract.js'

// The plugin kit: what every Seldon plugin shares (README, "The plugin kit").
export { InvalidComponentError, InvalidOptionError } from './kit/errors.js'
export { sharedWeakMap } from './kit/registry.js'
export { runtimeFor } from './kit/runtime-registry.js'
export { runtimeOptionsFrom, validateRuntimeSettings, type RuntimeSettings } from './kit/runtime-settings.js'
export { envBool, optionsFromEnv, runtimeOptionsFromEnv, type SeldonEnvOptions } from './kit/env.js'
export { ERROR_HANDLERS_DECORATOR, componentErrorHandlers, findErrorHandler, validateErrorHandlers } from './kit/error-handlers.js'
export { assertComponent, requireMethod } from './kit/component-checks.js'
