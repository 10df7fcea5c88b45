/**
 * The integration contract: what the runtime, the REST and gRPC plugins and the CLI call when
 * tracing is on, as types only. Nothing here imports OpenTelemetry, so a package can depend on
 * these types without loading (or even installing) an SDK; the implementation is
 * `createTracingHooks` / `tracingHooksFromGlobal` / `startTracing` in this package.
 *
 * Every member is optional on purpose: `undefined` means "off", and the caller then adds no hook
 * and wraps nothing (one `if` when it wires itself, never a no-op span per request).
 *
 * Who calls what (see docs/tracing.md, "How the packages use it"):
 *   - the CLI worker: `startTracing()` before it builds the app, `shutdown()` after the drain,
 *     `logMixin` as pino's `mixin`, and hands `hooks` to the plugins;
 *   - the REST kit: `rest.addHooks(instance)` on the plugin's context before its routes, and the
 *     route config key {@link ROUTE_OPERATION_KEY} with the span name of each route;
 *   - the gRPC server: `grpc.wrapUnary(path, handler, codeName)` around each handler it adds;
 *   - the runtime: `methods.forComponent(name)` once, then `instrument(method, call)` around each
 *     user-method call;
 *   - remote calls (graph): `inject(headersOrMetadata)` before sending.
 *
 * This file is self-contained so that it can move to `@fastify-seldon/core` unchanged (the
 * packages that consume it then import the types from core, and this package re-exports them).
 */
import type { FastifyInstance } from 'fastify'

/**
 * The route config key holding a route's span name (the Python wrapper's Flask view name:
 * `Predict`, `SendFeedback`...): `instance.route({ ..., config: { [ROUTE_OPERATION_KEY]: 'Predict' } })`.
 * A route without it gets OpenTelemetry's HTTP name, `{method} {route}`.
 */
export const ROUTE_OPERATION_KEY = 'seldonOperation'

/**
 * The Python wrapper's span name of each REST endpoint (its Flask view names, seldon-core v1.18.2
 * python/seldon_core/wrapper.py), so that traces keep the shape `predictions → /predict → Predict`
 * and existing dashboards read the same. Every alias of an endpoint has the endpoint's name.
 */
export const REST_OPERATION_NAMES = {
  predict: 'Predict',
  transformInput: 'TransformInput',
  transformOutput: 'TransformOutput',
  route: 'Route',
  aggregate: 'Aggregate',
  sendFeedback: 'SendFeedback',
  healthPing: 'HealthPing',
  healthStatus: 'HealthStatus',
  metadata: 'Metadata',
  openapi: 'openAPI'
} as const

/** REST server spans on a Fastify context. */
export interface RestTracing {
  /**
   * Adds the onRequest/preHandler/onError/onResponse hooks that make one SERVER span per request
   * on this context (and its children). The routes' handlers then run with that span active.
   * When a span is already active as a request arrives (the host app runs @fastify/otel or an
   * HTTP instrumentation), no span of ours is made: the host's is the server span.
   */
  addHooks: (instance: AnyFastifyInstance) => void
}

/** A Fastify instance whatever its server, logger and type provider (a pino logger changes the type). */
export type AnyFastifyInstance = FastifyInstance<any, any, any, any, any>

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
  /** Writes the active context into an outgoing request's headers or gRPC metadata. */
  readonly inject: (carrier: HeaderCarrier | SettableCarrier) => void
}

/** What a plugin accepts as its `tracing` option (the CLI passes the hooks `startTracing` made). */
export type TracingOption = boolean | TracingHooks
