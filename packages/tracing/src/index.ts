export * from './contract.js'
export { parseTracingSwitch, sdkDisabled } from './switch.js'
export {
  resolveTracingConfig, describeSampler, parseKeyValueList, OTLP_PROTOCOLS,
  type TracingConfig, type ResolveOptions, type OtlpProtocol, type SamplerChoice, type SamplerName, type PropagatorName
} from './config.js'
export { JaegerPropagator, parseUberTraceId, UBER_TRACE_ID, UBER_BAGGAGE_PREFIX } from './jaeger.js'
export { buildPropagator } from './propagation.js'
export { buildSampler } from './sampler.js'
export { compileExtraTags, type ExtraTagGetter } from './extra-tags.js'
export { parsePeer } from './grpc.js'
export { tracingHooksFromGlobal, logMixin, injectInto, TRACER_NAME, TRACER_VERSION, type TracingHooksOptions } from './hooks.js'
export {
  startTracing, DEFAULT_SHUTDOWN_TIMEOUT, type StartTracingOptions, type Tracing, type TracingLogger
} from './start.js'
