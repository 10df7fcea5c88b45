/**
 * The hooks (contract.ts) over OpenTelemetry's global API: the tracer provider, propagator and
 * context manager that are registered in the process, whoever registered them: `startTracing` in
 * a CLI worker, or the host app's own SDK when the plugins are embedded. This module never
 * registers anything itself, so a host's setup is left exactly as it was.
 */
import { createRequire } from 'node:module'
import {
  context, isSpanContextValid, propagation, trace, type TextMapSetter, type TracerProvider
} from '@opentelemetry/api'
import type { HeaderCarrier, SettableCarrier, TracingHooks } from './contract.js'
import { compileExtraTags } from './extra-tags.js'
import { grpcTracing } from './grpc.js'
import { methodTracing } from './methods.js'
import { restTracing } from './rest.js'

export const TRACER_NAME = '@fastify-seldon/tracing'
export const TRACER_VERSION = (createRequire(import.meta.url)('../package.json') as { version: string }).version

export interface TracingHooksOptions {
  /** REST server spans (default true). */
  rest?: boolean
  /** gRPC server spans (default true). */
  grpc?: boolean
  /** User-method spans (default true). */
  methods?: boolean
  /** JAEGER_EXTRA_TAGS names: request attributes put on the REST span. */
  extraTags?: readonly string[]
  /** Where start-up warnings go (unknown extra tags...). Default: none. */
  warn?: (message: string) => void
  /** A provider other than the global one (spans still use the global propagator and context). */
  tracerProvider?: TracerProvider
}

/**
 * `{ trace_id, span_id, trace_flags }` of the active span (pino `mixin`), `{}` outside one. A new
 * object every time: pino's default merge strategy writes the log call's fields into it.
 */
export function logMixin (): Record<string, string> {
  const span = trace.getSpan(context.active())
  if (span === undefined) return {}
  const ids = span.spanContext()
  if (!isSpanContextValid(ids)) return {}
  return { trace_id: ids.traceId, span_id: ids.spanId, trace_flags: ids.traceFlags.toString(16).padStart(2, '0') }
}

const carrierSetter: TextMapSetter<HeaderCarrier | SettableCarrier> = {
  set (carrier, key, value) {
    if (typeof carrier.set === 'function') (carrier as SettableCarrier).set(key, value)
    else (carrier as HeaderCarrier)[key] = value
  }
}

/** Writes the active context into outgoing headers or gRPC metadata (every configured propagator). */
export function injectInto (carrier: HeaderCarrier | SettableCarrier): void {
  propagation.inject(context.active(), carrier, carrierSetter)
}

/**
 * Hooks that trace through whatever OpenTelemetry setup the process has. In a host app with its
 * own SDK (e.g. @fastify/otel + NodeSDK), the component's spans join the host's traces; with no
 * SDK registered, every span is a no-op.
 */
export function tracingHooksFromGlobal (options: TracingHooksOptions = {}): TracingHooks {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME, TRACER_VERSION)
  const extra = compileExtraTags(options.extraTags ?? [])
  for (const warning of extra.warnings) options.warn?.(warning)
  return {
    rest: options.rest === false ? undefined : restTracing(tracer, extra.getters),
    grpc: options.grpc === false ? undefined : grpcTracing(tracer),
    methods: options.methods === false ? undefined : methodTracing(tracer),
    logMixin,
    inject: injectInto
  }
}
