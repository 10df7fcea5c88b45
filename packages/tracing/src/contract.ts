/**
 * The integration contract lives in `@fastify-seldon/core` (src/tracing-contract.ts), types only,
 * so that core, REST and gRPC depend on it without OpenTelemetry; this package implements it and
 * re-exports it for its users.
 */
export {
  ROUTE_OPERATION_KEY, REST_OPERATION_NAMES, OPENAPI_VIEW, isTracingHooks, injectTraceContext,
  type RestTracing, type GrpcCallLike, type GrpcStatusLike, type GrpcUnaryHandler, type GrpcTracing,
  type InstrumentUserMethod, type MethodTracing, type HeaderCarrier, type SettableCarrier, type TracingHooks
} from '@fastify-seldon/core'
import type { FastifyInstance } from 'fastify'

/** A Fastify instance whatever its server, logger and type provider (a pino logger changes the type). */
export type AnyFastifyInstance = FastifyInstance<any, any, any, any, any>
