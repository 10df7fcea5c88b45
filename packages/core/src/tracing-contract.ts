/**
 * The tracing contract: what the runtime, the REST and gRPC plugins, the graph's remote calls and
 * the CLI call when tracing is on, as types (and the span-name constants). Nothing here imports
 * OpenTelemetry or Fastify, so the packages below the CLI depend on these types without loading,
 * or even installing, an SDK. `@fastify-seldon/tracing` implements it (`startTracing` in a CLI
 * worker, `tracingHooksFromGlobal` over a host app's own SDK) and re-exports it.
 *
 * Every member is optional on purpose: `undefined` means "off", and the caller then adds no hook
 * and wraps nothing (one `if` when it wires itself, never a no-op span per request).
 *
 * Who calls what (docs/tracing.md, "How the packages use it"):
 *   - the CLI worker: `startTracing()` before it builds the app, `logMixin` for pino, the hooks
 *     to the plugins (their `tracing` option), `shutdown()` after the drain;
 *   - the REST mount: `rest.addHooks(instance)` on the plugin's context before its routes, and the
 *     route config key {@link ROUTE_OPERATION_KEY} with each route's span name;
 *   - the gRPC server: `grpc.wrapUnary(path, handler, codeName)` around each handler;
 *   - the runtime: `methods.forComponent(className)` once, then `instrument(method, call)` around
 *     each user-method call;
 *   - remote calls (graph): `inject(headersOrMetadata)` before sending, see {@link injectTraceContext}.
 */

import { ENDPOINTS, type Endpoint, type EndpointSpec } from './endpoints.js'

/**
 * The route config key holding a route's span name (the Python wrapper's Flask view name:
 * `Predict`, `SendFeedback`...): `instance.route({ ..., config: { [ROUTE_OPERATION_KEY]: 'Predict' } })`.
 * A route without it gets OpenTelemetry's HTTP name, `{method} {route}`.
 */
export const ROUTE_OPERATION_KEY = 'seldonOperation'

/** The REST span name of `/seldon.json` (the wrapper's view serving its OpenAPI file). */
export const OPENAPI_VIEW = 'openAPI'

/**
 * The REST span name of each endpoint: its `restView` in the endpoint table (the Python wrapper's
 * Flask view name), plus `openapi` for `/seldon.json`. Every alias of an endpoint has its name.
 */
export const REST_OPERATION_NAMES: Readonly<Partial<Record<Endpoint, string>> & { openapi: string }> = {
  ...Object.fromEntries((Object.entries(ENDPOINTS) as Array<[Endpoint, EndpointSpec]>)
    .flatMap(([endpoint, spec]) => spec.restView !== undefined ? [[endpoint, spec.restView]] : [])),
  openapi: OPENAPI_VIEW
}

/** REST server spans on a Fastify context. */
export interface RestTracing {
  /**
   * Adds the hooks that make one SERVER span per request on this Fastify context (and its
   * children); the routes' handlers then run with that span active. When a span is already active
   * as a request arrives (the host app runs @fastify/otel or an HTTP instrumentation), no span of
   * ours is made: the host's is the server span. `instance` is a Fastify instance (typed loosely
   * here so that core does not depend on Fastify).
   */
  addHooks (instance: object): void
}

/** What a grpc-js unary handler needs to offer to be traced (structural: grpc-js's types fit). */
export interface GrpcCallLike {
  metadata: { get: (key: string) => Array<string | Buffer>, getMap: () => Record<string, unknown> }
  getPeer: () => string
}
/** A status as grpc-js callbacks take it: `null` for OK. */
export interface GrpcStatusLike { code?: number | undefined }
export type GrpcUnaryHandler<Call extends GrpcCallLike = GrpcCallLike> =
  (call: Call, callback: (error: GrpcStatusLike | null, ...rest: any[]) => void) => void

/** gRPC server spans. */
export interface GrpcTracing {
  /**
   * `handler` wrapped: one SERVER span per call named `path` (`/seldon.protos.Model/Predict`),
   * parent from the call's metadata, active while the handler runs, ended with the status the
   * handler answers. `codeName` names a status code (`OK`, `INVALID_ARGUMENT`...).
   */
  wrapUnary: <H extends GrpcUnaryHandler<any>>(path: string, handler: H, codeName: (code: number) => string) => H
}

/**
 * Runs one call of a user method inside an INTERNAL span named `method`, active while the method
 * runs (AsyncLocalStorage follows its awaits), so the user's code can add spans and attributes
 * with `@opentelemetry/api`. Returns what `call` returns: a plain value stays plain (the runtime's
 * synchronous path stays synchronous), a promise is returned as a promise settling the same way.
 * A throw or rejection is recorded on the span (status ERROR) and passed on unchanged.
 *
 * `method` is the user method's Python name (`predict`, `transform_input`, `send_feedback`...),
 * `puid` the request's `meta.puid`, `payloadKind` the request payload's kind (`ndarray`, `tensor`,
 * `jsonData`...). Payload content is never recorded.
 */
export type InstrumentUserMethod = <T>(method: string, call: () => T, puid?: string, payloadKind?: string) => T

/** User-method spans. */
export interface MethodTracing {
  /** The instrument function of one component (its name is the spans' `seldon.component`). */
  forComponent: (componentName: string) => InstrumentUserMethod
}

/** Outgoing carriers: plain headers, or anything with `set` (grpc-js Metadata, WHATWG Headers). */
export type HeaderCarrier = Record<string, string | string[] | undefined>
export interface SettableCarrier { set: (key: string, value: string) => unknown }

/** What the packages call when tracing is on. An absent member is off. */
export interface TracingHooks {
  readonly rest?: RestTracing | undefined
  readonly grpc?: GrpcTracing | undefined
  readonly methods?: MethodTracing | undefined
  /**
   * For pino's `mixin` option: `{ trace_id, span_id, trace_flags }` of the active span, `{}`
   * outside one. Log lines written while a traced request is handled then carry its ids.
   */
  readonly logMixin: () => Record<string, string>
  /**
   * Writes the active context into an outgoing request's headers or gRPC metadata with every
   * configured propagator (W3C `traceparent`, Jaeger `uber-trace-id`...).
   */
  readonly inject: (carrier: HeaderCarrier | SettableCarrier) => void
}

/** Whether `value` has the shape of {@link TracingHooks} (a plugin option is checked with it). */
export function isTracingHooks (value: unknown): value is TracingHooks {
  if (value === null || typeof value !== 'object') return false
  const hooks = value as Partial<Record<keyof TracingHooks, unknown>>
  return typeof hooks.logMixin === 'function' && typeof hooks.inject === 'function'
}

/**
 * Writes the current trace context into an outgoing call's headers or gRPC metadata, when
 * `tracing` is given (a no-op otherwise). For remote calls made while a request is handled (a
 * graph's child nodes): the child's spans then join the request's trace.
 */
export function injectTraceContext (tracing: TracingHooks | undefined, carrier: HeaderCarrier | SettableCarrier): void {
  tracing?.inject(carrier)
}
